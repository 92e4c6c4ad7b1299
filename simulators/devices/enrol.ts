/**
 * Enrolment as a user does it: the org hands out a QR code (otpauth URI) or
 * sends an activation code; the device scans it or receives it; the user
 * types the first code back and the org activates the factor. Only the org's
 * admin methods are used, so a seeded lab exercises the same enrolment flow a
 * scenario could. TOTP apps can also be enrolled through Okta's Management
 * API (`enrolTotpThroughApi`, any OktaAdmin); push (a device registration),
 * SMS / voice / email (codes to the lab's inboxes) and Duo (Duo's own
 * activation) need the mock org.
 */
import { CodedError, isCodedError } from '../../agent/src/errors.ts';
import type { OktaAdmin } from '../okta/admin-api.ts';
import type { EnrollFactorInput, EnrollFactorResult } from '../okta/types.ts';
import { type DuoMobile, DuoPasscodeVerifier } from './duo-mobile.ts';
import type { EmailInbox } from './inboxes.ts';
import type { OktaVerify } from './okta-verify.ts';
import type { GoogleAuthenticator, Phone } from './phone.ts';
import type { TotpAccountView } from './totp-app.ts';

/** The org's enrolment API as devices use it (OktaOrg has these). */
export interface EnrollingOrg {
  enrollFactor(userId: string, input: EnrollFactorInput): EnrollFactorResult;
  activateFactor(userId: string, factorId: string, passCode?: string): unknown;
}

export interface EnrolOptions {
  /** Leave the factor PENDING_ACTIVATION (the device has it, the user never typed the code). Default true. */
  activate?: boolean;
  /** Base32 secret to enrol with (seeded labs); the org generates one otherwise. */
  secret?: string;
}

export interface TotpEnrolment {
  factorId: string;
  account: TotpAccountView;
}

/**
 * Okta Verify: push enrolment (the org adds the companion TOTP factor on
 * activation) — or, with `totpOnly`, just an Okta Verify TOTP factor.
 */
export function enrolOktaVerify(
  org: EnrollingOrg,
  userId: string,
  app: OktaVerify,
  opts: EnrolOptions & { totpOnly?: boolean } = {},
): TotpEnrolment {
  const input: EnrollFactorInput = opts.totpOnly
    ? { factorType: 'token:software:totp', provider: 'OKTA', deviceId: app.deviceId }
    : { factorType: 'push', provider: 'OKTA', deviceId: app.deviceId };
  return scanAndActivate(org, userId, app, input, opts);
}

export function enrolGoogleAuthenticator(
  org: EnrollingOrg,
  userId: string,
  app: GoogleAuthenticator,
  opts: EnrolOptions & { deviceId?: string } = {},
): TotpEnrolment {
  const input: EnrollFactorInput = { factorType: 'token:software:totp', provider: 'GOOGLE' };
  if (opts.deviceId !== undefined) input.deviceId = opts.deviceId;
  return scanAndActivate(org, userId, app, input, opts);
}

function scanAndActivate(
  org: EnrollingOrg,
  userId: string,
  app: OktaVerify | GoogleAuthenticator,
  input: EnrollFactorInput,
  opts: EnrolOptions,
): TotpEnrolment {
  if (opts.secret !== undefined) input.sharedSecret = opts.secret;
  const { factor, activation } = org.enrollFactor(userId, input);
  if (!activation) {
    throw new CodedError('DEVICE_ENROL_FAILED', `The org returned no QR code / secret for ${input.factorType}; cannot scan.`);
  }
  const account = app.scan(activation.otpauthUri);
  if (opts.activate ?? true) org.activateFactor(userId, factor.id, app.currentCode(account.id));
  return { factorId: factor.id, account };
}

/** SMS or voice: the org sends an activation code to the phone's number; the user reads/hears it and types it. */
export function enrolPhoneNumber(
  org: EnrollingOrg,
  userId: string,
  phone: Phone,
  channel: 'sms' | 'call',
  opts: Pick<EnrolOptions, 'activate'> = {},
): { factorId: string } {
  const before = channel === 'sms' ? phone.sms.size : phone.voice.size;
  const { factor } = org.enrollFactor(userId, { factorType: channel, phoneNumber: phone.number });
  if (opts.activate ?? true) {
    const box = channel === 'sms' ? phone.sms : phone.voice;
    const code = box.size > before ? box.latestCode() : undefined;
    if (code === undefined) {
      throw new CodedError(
        'DEVICE_NO_ACTIVATION_CODE',
        `No activation code reached ${phone.name} by ${channel}; is the phone online and on the org's delivery network?`,
      );
    }
    org.activateFactor(userId, factor.id, code);
  }
  return { factorId: factor.id };
}

/** Email: the org mails an activation code; the user copies it from the inbox. */
export function enrolEmail(
  org: EnrollingOrg,
  userId: string,
  inbox: EmailInbox,
  opts: Pick<EnrolOptions, 'activate'> = {},
): { factorId: string } {
  const before = inbox.size;
  const { factor } = org.enrollFactor(userId, { factorType: 'email', email: inbox.address });
  if (opts.activate ?? true) {
    const code = inbox.size > before ? inbox.latestCode() : undefined;
    if (code === undefined) {
      throw new CodedError('DEVICE_NO_ACTIVATION_CODE', `No activation email reached ${inbox.address}; is the inbox on the org's delivery network?`);
    }
    org.activateFactor(userId, factor.id, code);
  }
  return { factorId: factor.id };
}

/**
 * Duo: Duo's own activation puts the secret in Duo Mobile; the org's Duo
 * extension gets the verifier that checks passcodes. `secret` is required
 * here because Duo, not Okta, issues it.
 */
export function enrolDuo(
  org: EnrollingOrg,
  userId: string,
  app: DuoMobile,
  opts: { secret: string; label?: string; activate?: boolean },
): { factorId: string; verifier: DuoPasscodeVerifier } {
  app.activate({ secret: opts.secret, label: opts.label ?? '' });
  const verifier = new DuoPasscodeVerifier(opts.secret);
  const { factor } = org.enrollFactor(userId, {
    factorType: 'web',
    provider: 'DUO',
    duoPasscodeChecker: verifier.checker(),
    activate: opts.activate ?? true,
  });
  return { factorId: factor.id, verifier };
}

/**
 * TOTP enrolment through Okta's Management API (OktaAdmin: the in-process
 * mock, the mock served over HTTP, or a real org), as Okta documents it:
 * POST /api/v1/users/{id}/factors `{factorType: "token:software:totp",
 * provider}` answers PENDING_ACTIVATION with the shared secret; the app on
 * the phone takes it (as scanning the QR code that encodes it); the code it
 * shows activates the factor (…/lifecycle/activate `{passCode}`).
 * https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserFactor/#tag/UserFactor/operation/enrollFactor
 *
 * `typedStep: -1` types the code of the time step before the app's current
 * one (a person who read it just before it changed), so the current step
 * stays unused for the first sign-in — against an org whose clock the harness
 * can't move, the alternative is waiting up to 30 s of real time per
 * enrolment. That activation accepts the drift Okta allows a verification
 * (one step) is inferred, not documented (the mock does): if the org refuses
 * it (E0000068), the current code activates instead, and the first sign-in
 * then waits for the next step (PeopleFixture.codeUsable). Returns the time
 * step the activation used.
 */
export async function enrolTotpThroughApi(
  admin: Pick<OktaAdmin, 'enrollTotp' | 'activateFactor'>,
  userId: string,
  app: OktaVerify | GoogleAuthenticator,
  opts: { provider: 'OKTA' | 'GOOGLE'; label: string; activate?: boolean; typedStep?: 0 | -1; now: () => number },
): Promise<TotpEnrolment & { activatedStep?: number }> {
  const e = await admin.enrollTotp(userId, opts.provider);
  const account = app.scan({ sharedSecret: e.sharedSecret, issuer: opts.provider === 'GOOGLE' ? 'Okta (Google Authenticator)' : 'Okta', label: opts.label });
  if (!(opts.activate ?? true)) return { factorId: e.factorId, account };
  const stepNow = (): number => Math.floor(opts.now() / 1000 / account.period);
  const activate = async (offset: number): Promise<number> => {
    // Code and step from the same time step (read again if a step boundary fell in between).
    let step: number;
    let code: string;
    do {
      step = stepNow();
      code = app.code(account.id, offset);
    } while (stepNow() !== step);
    await admin.activateFactor(userId, e.factorId, code);
    return step + offset;
  };
  const offset = opts.typedStep ?? 0;
  try {
    return { factorId: e.factorId, account, activatedStep: await activate(offset) };
  } catch (err) {
    // An org that takes no drift at activation: the code the app shows now, as a person types it.
    if (offset === 0 || !isCodedError(err, 'OKTA_ADMIN_REQUEST_FAILED') || err.details.errorCode !== 'E0000068') throw err;
    return { factorId: e.factorId, account, activatedStep: await activate(0) };
  }
}
