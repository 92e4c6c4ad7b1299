/**
 * TOTP as Okta runs it: RFC 6238, SHA-1, 6 digits, 30 s step, codes of the
 * adjacent steps accepted (clock drift), each step usable once. Time always
 * comes from the caller (the org's injected clock), never from Date.now().
 */
import { hash } from 'node:crypto';
import { createGuardrails, generateSecret, generateSync, generateURI, ScureBase32Plugin } from 'otplib';

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

/**
 * Checks `code` at `atMs`; `usedSteps` are steps already consumed (replay). Does not consume.
 *
 * The steps from the one 30 s before `atMs` to the one 30 s after (clamped at
 * step 0) are tried oldest first and the first match wins — what otplib's
 * `verifySync` with `epochTolerance` 30 does (totp.test.ts holds the two equal
 * over generated secrets, times and codes); a secret otplib refuses matches no
 * code. The HMAC-SHA1 is two one-shot SHA-1s over pads made once per secret
 * (RFC 2104): ~1 µs a step, where otplib's pure-JS HMAC cost ~20 µs a check.
 */
export function checkTotp(secret: string, code: string, atMs: number, usedSteps: ReadonlySet<number>): TotpCheck {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'INVALID' };
  const key = hotpKey(secret);
  // A malformed secret is the org's problem, but a passcode can't match it.
  if (!key) return { ok: false, reason: 'INVALID' };
  const epoch = Math.floor(atMs / 1000);
  const tolerance = TOTP_PERIOD_S * TOTP_WINDOW_STEPS;
  const first = Math.max(0, Math.floor((epoch - tolerance) / TOTP_PERIOD_S));
  const last = Math.floor((epoch + tolerance) / TOTP_PERIOD_S);
  for (let step = first; step <= last; step++) {
    if (!sameCode(hotp(key, step), code)) continue;
    return usedSteps.has(step) ? { ok: false, reason: 'REPLAYED' } : { ok: true, step };
  }
  return { ok: false, reason: 'INVALID' };
}

/**
 * Marks `step` used at `atMs` and forgets the steps that can no longer match
 * (before the window's first step at `atMs`; the org's clock never goes back),
 * so a factor remembers at most the window's steps however often it signs in.
 */
export function useTotpStep(usedSteps: Set<number>, step: number, atMs: number): void {
  usedSteps.add(step);
  const first = Math.floor((Math.floor(atMs / 1000) - TOTP_PERIOD_S * TOTP_WINDOW_STEPS) / TOTP_PERIOD_S);
  for (const s of usedSteps) if (s < first) usedSteps.delete(s);
}

/** A secret's HMAC-SHA1 pads with room for the message: key⊕ipad ‖ counter, key⊕opad ‖ inner digest. */
interface HotpKey {
  inner: Buffer;
  outer: Buffer;
}

/** secret → its key (null: otplib refuses the secret). Bounded: labs have few secrets; a large org with one each re-derives. */
const KEYS = new Map<string, HotpKey | null>();
const MAX_KEYS = 10_000;
const BASE32 = new ScureBase32Plugin();
const SHA1_BLOCK = 64;

function hotpKey(secret: string): HotpKey | null {
  let key = KEYS.get(secret);
  if (key !== undefined) return key;
  key = null;
  try {
    // otplib decides which secrets are usable (base32 and the length guardrails): it must accept this one.
    generateSync({ secret, epoch: 0, period: TOTP_PERIOD_S, guardrails: GUARDRAILS });
    // At most 64 bytes (otplib's MAX_SECRET_BYTES), so the key is never hashed down first (RFC 2104).
    const bytes = BASE32.decode(secret);
    const inner = Buffer.alloc(SHA1_BLOCK + 8);
    const outer = Buffer.alloc(SHA1_BLOCK + 20);
    for (let i = 0; i < SHA1_BLOCK; i++) {
      inner[i] = (bytes[i] ?? 0) ^ 0x36;
      outer[i] = (bytes[i] ?? 0) ^ 0x5c;
    }
    key = { inner, outer };
  } catch {
    // refused by otplib: no code matches
  }
  if (KEYS.size >= MAX_KEYS) KEYS.clear();
  KEYS.set(secret, key);
  return key;
}

/** RFC 4226 HOTP, 6 digits, for counter `step`, as a zero-padded string. */
function hotp(key: HotpKey, step: number): string {
  // The counter, 8 bytes big-endian (steps pass 2^32 only after the year 6000, but stay exact).
  key.inner.writeUInt32BE(Math.floor(step / 0x1_0000_0000), SHA1_BLOCK);
  key.inner.writeUInt32BE(step >>> 0, SHA1_BLOCK + 4);
  key.outer.write(hash('sha1', key.inner, 'binary'), SHA1_BLOCK, 'latin1');
  const mac = hash('sha1', key.outer, 'binary');
  const offset = mac.charCodeAt(19) & 0x0f;
  const binary =
    ((mac.charCodeAt(offset) & 0x7f) << 24) | (mac.charCodeAt(offset + 1) << 16) | (mac.charCodeAt(offset + 2) << 8) | mac.charCodeAt(offset + 3);
  return String(binary % 1_000_000).padStart(6, '0');
}

/** Equal 6-character codes, compared without an early exit (as otplib's constantTimeEqual). */
function sameCode(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
