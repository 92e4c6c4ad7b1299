/**
 * TOTP as Okta runs it: RFC 6238, SHA-1, 6 digits, 30 s step, codes of the
 * adjacent steps accepted (clock drift), each step usable once. Time always
 * comes from the caller (the org's injected clock), never from Date.now().
 */
import { createGuardrails, generateSecret, generateSync, generateURI, verifySync } from 'otplib';

export const TOTP_PERIOD_S = 30;
/** Okta accepts the previous and the next step besides the current one. */
export const TOTP_WINDOW_STEPS = 1;

/**
 * Okta's and Google Authenticator's secrets are often 16 base32 characters
 * (80 bits); otplib's default floor is 128 bits, so lower it to RFC 4226's minimum.
 */
const GUARDRAILS = createGuardrails({ MIN_SECRET_BYTES: 10 });

export function newTotpSecret(): string {
  // 20 bytes → 32 base32 characters, like Okta Verify / Google Authenticator secrets.
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, issuer: string, label: string): string {
  return generateURI({ issuer, label, secret, period: TOTP_PERIOD_S, digits: 6, algorithm: 'sha1' });
}

/** The code a device would show at `atMs`. */
export function totpAt(secret: string, atMs: number): string {
  return generateSync({ secret, epoch: Math.floor(atMs / 1000), period: TOTP_PERIOD_S, guardrails: GUARDRAILS });
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'INVALID' | 'REPLAYED' };

/** Checks `code` at `atMs`; `usedSteps` are steps already consumed (replay). Does not consume. */
export function checkTotp(secret: string, code: string, atMs: number, usedSteps: ReadonlySet<number>): TotpCheck {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'INVALID' };
  let result: ReturnType<typeof verifySync>;
  try {
    result = verifySync({
      secret,
      token: code,
      epoch: Math.floor(atMs / 1000),
      period: TOTP_PERIOD_S,
      epochTolerance: TOTP_PERIOD_S * TOTP_WINDOW_STEPS,
      guardrails: GUARDRAILS,
    });
  } catch {
    // A malformed secret is the org's problem, but a passcode can't match it.
    return { ok: false, reason: 'INVALID' };
  }
  if (!result.valid || !('timeStep' in result)) return { ok: false, reason: 'INVALID' };
  if (usedSteps.has(result.timeStep)) return { ok: false, reason: 'REPLAYED' };
  return { ok: true, step: result.timeStep };
}
