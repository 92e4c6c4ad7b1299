/**
 * OktaAdmin: how the harness sets an Okta org up — only through what Okta's
 * Management API offers (users and their lifecycle, app assignment, TOTP
 * factor enrolment and activation) — with two implementations:
 *
 * - `LocalOktaAdmin` (admin-local.ts): calls the in-process mock OktaOrg;
 *   the fast default.
 * - `HttpOktaAdmin` (admin-http.ts): the same calls over HTTP(S) to any org
 *   URL with an SSWS API token — the mock served over HTTP, or a real test
 *   org. Every login carries a run prefix, everything created is tracked and
 *   removed by cleanup(), `cleanupByPrefix` sweeps what a crashed run left,
 *   and calls are paced by Okta's X-Rate-Limit-* headers.
 *
 * TOTP enrolment as Okta documents it: POST /api/v1/users/{id}/factors with
 * `{"factorType":"token:software:totp","provider":"OKTA"|"GOOGLE"}` answers
 * PENDING_ACTIVATION with `_embedded.activation.sharedSecret`; the
 * authenticator app computes a code from that secret; POST
 * …/factors/{factorId}/lifecycle/activate `{"passCode": code}` activates it.
 * https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserFactor/#tag/UserFactor/operation/enrollFactor
 *
 * Errors from Okta (either way) are one CodedError, OKTA_ADMIN_REQUEST_FAILED,
 * with Okta's status, errorCode and summary in `details`.
 */
import { CodedError } from '../../agent/src/errors.ts';
import { totpAt } from './totp.ts';
import type { UserStatus } from './types.ts';

export interface AdminUser {
  id: string;
  /** The login as the org has it (with the run prefix, over HTTP). */
  login: string;
  status: UserStatus;
}

export interface AdminFactor {
  id: string;
  factorType: string;
  provider: string;
  status: string;
}

/** A TOTP factor waiting for activation; the secret is what the authenticator app scans (never log it). */
export interface TotpEnrolment {
  factorId: string;
  sharedSecret: string;
  status: string;
}

export interface AdminCreateUser {
  /** The scenario's login; the org's may carry a run prefix (see loginFor). */
  login: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  mobilePhone?: string;
  password?: string;
  /** As `POST /api/v1/users?activate=`: default true (ACTIVE with a password). false: STAGED. */
  activate?: boolean;
}

export interface CleanupReport {
  /** Users deleted for good. */
  deleted: string[];
  /** Users that could not be removed, with why (a second cleanup may finish them). */
  failed: Array<{ login: string; reason: string }>;
}

export interface OktaAdmin {
  readonly kind: 'in-process' | 'http';
  /** The org's login for a scenario login: `rmh-…-alice@example.com` over HTTP, unchanged in-process. */
  loginFor(login: string): string;
  createUser(input: AdminCreateUser): Promise<AdminUser>;
  /** undefined when there is none (404). */
  getUser(idOrLogin: string): Promise<AdminUser | undefined>;
  activateUser(userId: string): Promise<AdminUser>;
  suspendUser(userId: string): Promise<AdminUser>;
  unsuspendUser(userId: string): Promise<AdminUser>;
  deactivateUser(userId: string): Promise<AdminUser>;
  /** POST /lifecycle/unlock: a LOCKED_OUT user is ACTIVE again. (Okta locks only by failed sign-ins; no API locks.) */
  unlockUser(userId: string): Promise<AdminUser>;
  /** POST /lifecycle/expire_password: PASSWORD_EXPIRED until the user changes it. */
  expirePassword(userId: string): Promise<AdminUser>;
  /**
   * Sets the password without the old one, as an admin does: `POST /api/v1/users/{id}`
   * with `credentials.password.value` (updateUser, partial update).
   * https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/updateUser
   */
  setPassword(userId: string, password: string): Promise<AdminUser>;
  /** Deactivates if needed, then deletes for good (Okta's two DELETEs). */
  deleteUser(userId: string): Promise<void>;
  assignToApp(appId: string, userId: string): Promise<void>;
  unassignFromApp(appId: string, userId: string): Promise<void>;
  isAssigned(appId: string, userId: string): Promise<boolean>;
  enrollTotp(userId: string, provider: 'OKTA' | 'GOOGLE'): Promise<TotpEnrolment>;
  activateFactor(userId: string, factorId: string, passCode: string): Promise<AdminFactor>;
  listFactors(userId: string): Promise<AdminFactor[]>;
  /** Removes every user this admin created (and so their factors and assignments). */
  cleanup(): Promise<CleanupReport>;
}

/** What both implementations throw for an error answer from Okta. */
export function oktaAdminError(
  operation: string,
  status: number,
  body: { errorCode?: unknown; errorSummary?: unknown; errorCauses?: unknown } | undefined,
): CodedError {
  const errorCode = typeof body?.errorCode === 'string' ? body.errorCode : undefined;
  const errorSummary = typeof body?.errorSummary === 'string' ? body.errorSummary : `HTTP ${status}`;
  const causes = Array.isArray(body?.errorCauses)
    ? (body.errorCauses as Array<{ errorSummary?: unknown }>).map((c) => String(c?.errorSummary ?? '')).filter(Boolean)
    : [];
  return new CodedError(
    'OKTA_ADMIN_REQUEST_FAILED',
    `Okta refused ${operation}: ${status}${errorCode ? ` ${errorCode}` : ''} ${errorSummary}${causes.length ? ` (${causes.join('; ')})` : ''}; check the org, the token's admin role and the request.`,
    { operation, status, ...(errorCode ? { errorCode } : {}), errorSummary, causes },
  );
}

/**
 * Enrols a TOTP factor and activates it with the code its app shows at
 * `now()` (the org's clock: the lab clock in-process, wall time for a served
 * lab on real time or a real org). That code's time step is then used up:
 * the first sign-in needs the next one (Okta refuses a passcode twice).
 */
export async function enrollActiveTotp(
  admin: OktaAdmin,
  userId: string,
  provider: 'OKTA' | 'GOOGLE',
  now: () => number,
): Promise<{ factorId: string; sharedSecret: string }> {
  const e = await admin.enrollTotp(userId, provider);
  await admin.activateFactor(userId, e.factorId, totpAt(e.sharedSecret, now()));
  return { factorId: e.factorId, sharedSecret: e.sharedSecret };
}

/** What an authenticator app offers enrolment (the devices' TotpAuthenticator has it). */
export interface ScanningApp {
  /** Adds an account from the shared secret, as a user typing it (or scanning the QR code that encodes it). */
  scan(input: { sharedSecret: string; issuer?: string; label?: string }): { id: string };
  currentCode(account?: string): string;
}

/**
 * Enrolment as a person does it, through the Management API: the admin
 * enrols the factor, the person's app takes the shared secret, the person
 * types the app's code and the factor is activated. The app must keep the
 * org's time (the lab clock, or the wall clock for a real org).
 */
export async function enrolTotpApp(
  admin: OktaAdmin,
  userId: string,
  provider: 'OKTA' | 'GOOGLE',
  app: ScanningApp,
  label: string,
): Promise<{ factorId: string; accountId: string }> {
  const e = await admin.enrollTotp(userId, provider);
  const account = app.scan({ sharedSecret: e.sharedSecret, issuer: provider === 'GOOGLE' ? 'Okta (Google Authenticator)' : 'Okta', label });
  await admin.activateFactor(userId, e.factorId, app.currentCode(account.id));
  return { factorId: e.factorId, accountId: account.id };
}
