/**
 * Okta's classic Authentication API (POST /api/v1/authn and
 * /api/v1/authn/factors/{factorId}/verify) for password-first mode: a state
 * machine keyed by stateToken. Okta documents it apart from the management API,
 * so its bodies are an extension to the contract (see extensions.ts).
 */
import { randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { IdGenerator } from './ids.ts';
import { OktaApiError } from './okta-errors.ts';
import type { OktaOrg } from './org.ts';
import type { FactorProvider, FactorRecord, FactorType, UserRecord } from './types.ts';
import { iso, type JsonObject } from './views.ts';

/** Okta's authentication transactions (stateToken) live five minutes. */
export const STATE_TOKEN_LIFETIME_MS = 5 * 60_000;

export interface AuthnAnswer {
  status: number;
  body: JsonObject;
}

interface AuthnTransaction {
  stateToken: string;
  userId: string;
  expiresAt: number;
  status: 'MFA_REQUIRED' | 'MFA_CHALLENGE' | 'PASSWORD_EXPIRED' | 'MFA_ENROLL' | 'MFA_ENROLL_ACTIVATE';
  /** Push in flight for this transaction. */
  push?: { factorId: string; transactionId: string; reported: boolean };
  /** MFA_ENROLL_ACTIVATE: the factor enrolled in this transaction, waiting for its activation code. */
  enrolling?: string;
}

/** A factor type the enrolment policy lets a user enrol (Authn MFA_ENROLL lists these). */
export interface EnrollableFactor {
  factorType: FactorType;
  provider: FactorProvider;
}

/** The lab's default enrolment policy: SMS, voice call, Google Authenticator, Okta Verify, email. */
export const DEFAULT_ENROLLABLE: readonly EnrollableFactor[] = [
  { factorType: 'sms', provider: 'OKTA' },
  { factorType: 'call', provider: 'OKTA' },
  { factorType: 'token:software:totp', provider: 'GOOGLE' },
  { factorType: 'push', provider: 'OKTA' },
  { factorType: 'email', provider: 'OKTA' },
];

export class AuthnService {
  readonly #org: OktaOrg;
  readonly #ids: IdGenerator;
  readonly #tx = new Map<string, AuthnTransaction>();
  /**
   * The factor types the sign-on policy lets a transaction use (undefined = every ACTIVE
   * factor). E.g. Okta Verify set to push only: { 'push' } — the authenticator's "Push
   * notification" without TOTP. Enrolled factors of other types are not offered.
   */
  offeredFactorTypes: ReadonlySet<string> | undefined;
  /**
   * Network zones (CIDR blocks) where the sign-on policy denies access. The client IP is what
   * the RADIUS agent reports (X-Forwarded-For; Okta_Radius_App-gen-client-ip.htm) — the mock
   * trusts it from any caller, where Okta trusts it only from the zone's Proxy IPs.
   */
  readonly deniedZones = new BlockList();
  /**
   * The sign-on policy requires MFA: a user with no factor enrolled gets MFA_ENROLL (enrol before
   * signing in) instead of SUCCESS. Off by default (the lab's historical policy: no factor, no MFA).
   */
  requireMfa = false;
  /** What the enrolment policy offers a user with no factor (MFA_ENROLL's factors), in order. */
  enrollableFactors: readonly EnrollableFactor[] = DEFAULT_ENROLLABLE;
  /**
   * The RADIUS app's "permit inline enrollment" box (Okta_Radius_App-gen-config-app.htm: "To permit
   * inline enrollment, check the box"). Okta keeps it with the app; this mock's Authn API knows no
   * app, so it applies to every transaction: cleared (the default), enrolling in a transaction is
   * refused (403 E0000038) and the user must enrol in Okta first.
   */
  inlineEnrollment = false;
  /** Client IPs the Authn API saw, in order (for scenarios: what the agent reported). */
  readonly reportedClientIps: Array<string | undefined> = [];

  constructor(org: OktaOrg, ids: IdGenerator) {
    this.#org = org;
    this.#ids = ids;
  }

  /** POST /api/v1/authn {username, password}. */
  primary(base: string, username: unknown, password: unknown, clientIp?: string): AuthnAnswer {
    const org = this.#org;
    this.reportedClientIps.push(clientIp);
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      throw new OktaApiError('E0000001', ['username and password: The fields cannot be left blank']);
    }
    const u = org.getUser(username);
    if (!u) throw new OktaApiError('E0000004');
    if (u.status === 'LOCKED_OUT') {
      org.logUserEvent(u, 'user.authentication.authenticate', 'FAILURE', {}, 'LOCKED_OUT');
      return { status: 200, body: { status: 'LOCKED_OUT', _links: {} } };
    }
    if (!org.checkPassword(u.id, password)) {
      org.notePasswordFailure(u);
      org.logUserEvent(u, 'user.authentication.authenticate', 'FAILURE', {}, 'INVALID_CREDENTIALS');
      throw new OktaApiError('E0000004');
    }
    if (u.status !== 'ACTIVE' && u.status !== 'PASSWORD_EXPIRED') {
      org.logUserEvent(u, 'user.authentication.authenticate', 'FAILURE', { status: u.status }, 'USER_NOT_ACTIVE');
      throw new OktaApiError('E0000004');
    }
    const family = clientIp ? isIP(clientIp) : 0;
    if (clientIp && family !== 0 && this.deniedZones.check(clientIp, family === 6 ? 'ipv6' : 'ipv4')) {
      // A sign-on policy rule "deny" for the zone: Okta answers as for any failed authentication.
      org.logUserEvent(u, 'user.authentication.authenticate', 'FAILURE', { clientIp }, 'DENIED_BY_POLICY');
      throw new OktaApiError('E0000004');
    }
    u.failedPasswordAttempts = 0;
    org.logUserEvent(u, 'user.authentication.authenticate', 'SUCCESS');
    if (u.status === 'PASSWORD_EXPIRED') {
      const t = this.#open(u, 'PASSWORD_EXPIRED');
      return { status: 200, body: this.#body(base, t, { status: 'PASSWORD_EXPIRED' }) };
    }
    const factors = this.#activeFactors(u);
    if (factors.length === 0 && this.requireMfa) {
      // Okta_Radius_App-gen-config-app.htm: without inline enrolment "users with no enrolled MFA are required to enroll in Okta before authenticating".
      const t = this.#open(u, 'MFA_ENROLL');
      org.logUserEvent(u, 'user.authentication.authenticate', 'FAILURE', {}, 'MFA_ENROLL_REQUIRED');
      const enrollable = this.enrollableFactors.map((e) => ({
        factorType: e.factorType,
        provider: e.provider,
        vendorName: e.provider,
        status: 'NOT_SETUP',
        enrollment: 'REQUIRED',
        _links: { enroll: { href: `${base}/api/v1/authn/factors`, hints: { allow: ['POST'] } } },
      }));
      return { status: 200, body: this.#body(base, t, { status: 'MFA_ENROLL', _embedded: { user: userSummary(u), factors: enrollable } }) };
    }
    if (factors.length === 0) return this.#success(u);
    const t = this.#open(u, 'MFA_REQUIRED');
    return {
      status: 200,
      body: this.#body(base, t, {
        status: 'MFA_REQUIRED',
        _embedded: { user: userSummary(u), factors: factors.map((f) => this.#factorSummary(base, f)) },
      }),
    };
  }

  /** POST /api/v1/authn/factors/{factorId}/verify {stateToken, passCode?}; a repeat for a push is the poll. */
  verify(base: string, factorId: string, stateToken: unknown, passCode: unknown): AuthnAnswer {
    const org = this.#org;
    const t = typeof stateToken === 'string' ? this.#tx.get(stateToken) : undefined;
    if (!t || org.now() >= t.expiresAt) {
      if (t) this.#tx.delete(t.stateToken);
      throw new OktaApiError('E0000011');
    }
    if (t.status === 'PASSWORD_EXPIRED' || t.status === 'MFA_ENROLL' || t.status === 'MFA_ENROLL_ACTIVATE') throw new OktaApiError('E0000079');
    const u = org.requireUser(t.userId);
    const f = org.getFactor(u.id, factorId);
    if (f?.status !== 'ACTIVE') throw new OktaApiError('E0000007', [], `Not found: Resource not found: ${factorId} (UserFactor)`);

    const code = passCode === undefined || passCode === null ? undefined : String(passCode);
    // Okta Verify push, and a Duo push (factor web/DUO without a passCode: the mock's extension).
    if (f.factorType === 'push' || (f.factorType === 'web' && (code === undefined || code === ''))) return this.#pushStep(base, t, u, f);

    const outcome = org.verifyFactor(u.id, f.id, code === undefined ? {} : { passCode: code });
    switch (outcome.result) {
      case 'SUCCESS':
        this.#tx.delete(t.stateToken);
        return this.#success(u);
      case 'CHALLENGE':
        t.status = 'MFA_CHALLENGE';
        return {
          status: 200,
          body: this.#body(base, t, {
            status: 'MFA_CHALLENGE',
            _embedded: { user: userSummary(u), factor: this.#factorSummary(base, f) },
            _links: this.#links(base, f, 'verify'),
          }),
        };
      case 'REPLAYED':
        throw new OktaApiError('E0000082');
      default:
        throw new OktaApiError('E0000068');
    }
  }

  /**
   * POST /api/v1/authn/factors {stateToken, factorType, provider, profile}: enrol a factor inside an
   * MFA_ENROLL transaction (Okta's Authentication API, "Enroll Factor"). SMS / voice call send the
   * activation code now; the answer is MFA_ENROLL_ACTIVATE with the factor (masked phone) and a
   * `next` link to activate it. Refused (403 E0000038) while inline enrolment is not permitted.
   */
  enroll(base: string, stateToken: unknown, factorType: unknown, provider: unknown, profile: { phoneNumber?: string }): AuthnAnswer {
    const org = this.#org;
    const t = this.#live(stateToken);
    if (t.status !== 'MFA_ENROLL' && t.status !== 'MFA_ENROLL_ACTIVATE') throw new OktaApiError('E0000079');
    if (!this.inlineEnrollment) throw new OktaApiError('E0000038', ['Inline enrollment is not permitted for this application: enroll in Okta first.']);
    const allowed = this.enrollableFactors.find((e) => e.factorType === factorType && e.provider === (provider ?? 'OKTA'));
    if (!allowed) throw new OktaApiError('E0000001', [`factorType: ${String(factorType)}/${String(provider)} is not offered for enrollment`]);
    const u = org.requireUser(t.userId);
    // Starting over in the same transaction (or after a wrong activation code): the pending enrolment is replaced.
    for (const f of org.listFactors(u.id)) {
      if (f.status === 'PENDING_ACTIVATION' && f.factorType === allowed.factorType && f.provider === allowed.provider) org.deactivateFactor(u.id, f.id);
    }
    const { factor, activation } = org.enrollFactor(u.id, {
      factorType: allowed.factorType,
      provider: allowed.provider,
      ...(profile.phoneNumber === undefined ? {} : { phoneNumber: profile.phoneNumber }),
    });
    t.status = 'MFA_ENROLL_ACTIVATE';
    t.enrolling = factor.id;
    const summary = this.#factorSummary(base, factor);
    if (activation) {
      summary._embedded = {
        activation: { timeStep: activation.timeStep, sharedSecret: activation.sharedSecret, encoding: activation.encoding, keyLength: 6 },
      };
    }
    return {
      status: 200,
      body: this.#body(base, t, {
        status: 'MFA_ENROLL_ACTIVATE',
        _embedded: { user: userSummary(u), factor: summary },
        _links: {
          next: { name: 'activate', href: `${base}/api/v1/authn/factors/${factor.id}/lifecycle/activate`, hints: { allow: ['POST'] } },
          prev: { href: `${base}/api/v1/authn/previous`, hints: { allow: ['POST'] } },
        },
      }),
    };
  }

  /**
   * POST /api/v1/authn/factors/{factorId}/lifecycle/activate {stateToken, passCode}: the code the
   * user received; SUCCESS signs in. A wrong code answers 403 E0000068 and the transaction stays.
   */
  activate(factorId: string, stateToken: unknown, passCode: unknown): AuthnAnswer {
    const org = this.#org;
    const t = this.#live(stateToken);
    if (t.status !== 'MFA_ENROLL_ACTIVATE' || t.enrolling !== factorId) throw new OktaApiError('E0000079');
    const u = org.requireUser(t.userId);
    org.activateFactor(u.id, factorId, passCode === undefined || passCode === null ? undefined : String(passCode));
    this.#tx.delete(t.stateToken);
    return this.#success(u);
  }

  /** The transaction of a stateToken that is still alive; 401 E0000011 otherwise. */
  #live(stateToken: unknown): AuthnTransaction {
    const t = typeof stateToken === 'string' ? this.#tx.get(stateToken) : undefined;
    if (!t || this.#org.now() >= t.expiresAt) {
      if (t) this.#tx.delete(t.stateToken);
      throw new OktaApiError('E0000011');
    }
    return t;
  }

  #pushStep(base: string, t: AuthnTransaction, u: UserRecord, f: FactorRecord): AuthnAnswer {
    const org = this.#org;
    let factorResult: string;
    const current = t.push && t.push.factorId === f.id ? org.getPushTransaction(u.id, f.id, t.push.transactionId) : undefined;
    if (current && t.push && !(t.push.reported && current.status !== 'WAITING' && current.status !== 'SUCCESS')) {
      if (current.status === 'SUCCESS') {
        this.#tx.delete(t.stateToken);
        return this.#success(u);
      }
      t.push.reported = current.status !== 'WAITING';
      factorResult = current.status;
    } else {
      // First verify, or a new attempt after a reported REJECTED / TIMEOUT: send a push.
      const outcome = org.verifyFactor(u.id, f.id, {});
      if (outcome.result !== 'WAITING') throw new OktaApiError('E0000009');
      t.push = { factorId: f.id, transactionId: outcome.transaction.id, reported: false };
      factorResult = 'WAITING';
    }
    t.status = 'MFA_CHALLENGE';
    return {
      status: 200,
      body: this.#body(base, t, {
        status: 'MFA_CHALLENGE',
        factorResult,
        _embedded: { user: userSummary(u), factor: this.#factorSummary(base, f) },
        _links: this.#links(base, f, 'poll'),
      }),
    };
  }

  #activeFactors(u: UserRecord): FactorRecord[] {
    const offered = this.offeredFactorTypes;
    return this.#org.listFactors(u.id).filter((f) => f.status === 'ACTIVE' && (!offered || offered.has(f.factorType)));
  }

  #open(u: UserRecord, status: AuthnTransaction['status']): AuthnTransaction {
    const t: AuthnTransaction = {
      stateToken: `00${randomBytes(24).toString('base64url')}`,
      userId: u.id,
      expiresAt: this.#org.now() + STATE_TOKEN_LIFETIME_MS,
      status,
    };
    this.#tx.set(t.stateToken, t);
    return t;
  }

  #success(u: UserRecord): AuthnAnswer {
    u.lastLogin = this.#org.now();
    this.#org.logUserEvent(u, 'user.session.start', 'SUCCESS');
    return {
      status: 200,
      body: {
        expiresAt: iso(this.#org.now() + STATE_TOKEN_LIFETIME_MS),
        status: 'SUCCESS',
        sessionToken: `${this.#ids.chars(8)}${randomBytes(18).toString('base64url')}`,
        _embedded: { user: userSummary(u) },
      },
    };
  }

  #body(base: string, t: AuthnTransaction, rest: JsonObject): JsonObject {
    return {
      stateToken: t.stateToken,
      expiresAt: iso(t.expiresAt),
      ...rest,
      _links: {
        cancel: { href: `${base}/api/v1/authn/cancel`, hints: { allow: ['POST'] } },
        ...((rest._links as JsonObject | undefined) ?? {}),
      },
    };
  }

  #links(base: string, f: FactorRecord, name: 'verify' | 'poll'): JsonObject {
    const verify = `${base}/api/v1/authn/factors/${f.id}/verify`;
    return {
      next: { name, href: verify, hints: { allow: ['POST'] } },
      prev: { href: `${base}/api/v1/authn/previous`, hints: { allow: ['POST'] } },
    };
  }

  #factorSummary(base: string, f: FactorRecord): JsonObject {
    const verify = `${base}/api/v1/authn/factors/${f.id}/verify`;
    const u = this.#org.requireUser(f.userId);
    const profile: JsonObject =
      f.factorType === 'sms' || f.factorType === 'call'
        ? { phoneNumber: maskPhone(f.phoneNumber ?? '') }
        : f.factorType === 'email'
          ? { email: maskEmail(f.email ?? '') }
          : f.factorType === 'push'
            ? { credentialId: u.profile.login, name: f.deviceId ?? f.id }
            : { credentialId: u.profile.login };
    return {
      id: f.id,
      factorType: f.factorType,
      provider: f.provider,
      vendorName: f.provider,
      profile,
      _links: { verify: { href: verify, hints: { allow: ['POST'] } } },
    };
  }
}

function userSummary(u: UserRecord): JsonObject {
  return {
    id: u.id,
    passwordChanged: u.passwordChanged === null ? null : iso(u.passwordChanged),
    profile: {
      login: u.profile.login,
      firstName: u.profile.firstName,
      lastName: u.profile.lastName,
      locale: 'en',
      timeZone: 'America/Los_Angeles',
    },
  };
}

/** Okta masks contact details in authn answers: "+1 XXX-XXX-4567". */
function maskPhone(phone: string): string {
  return phone.length > 4 ? `${phone.slice(0, 2)} XXX-XXX-${phone.slice(-4)}` : phone;
}

function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}...${local.slice(-1)}@${domain}`;
}
