import type { OktaFactor } from '../okta/types.ts';

/**
 * The factor kinds the agent can drive over RADIUS (PAP carries one text
 * field, so only passcodes and out-of-band factors fit).
 */
export type FactorKind =
  | 'okta-verify-totp'
  | 'okta-verify-push'
  | 'google-authenticator'
  | 'hardware-token'
  | 'sms'
  | 'call'
  | 'email'
  | 'duo';

export type Keyword = 'PUSH' | 'SMS' | 'CALL' | 'EMAIL';

export interface UsableFactor {
  kind: FactorKind;
  factor: OktaFactor;
}

export function classify(f: OktaFactor): FactorKind | null {
  const provider = (f.provider ?? '').toUpperCase();
  switch (f.factorType) {
    case 'token:software:totp':
      if (provider === 'OKTA') return 'okta-verify-totp';
      if (provider === 'GOOGLE') return 'google-authenticator';
      return 'hardware-token';
    case 'token:hardware':
    case 'token':
      return 'hardware-token';
    case 'push':
      return provider === 'OKTA' ? 'okta-verify-push' : null;
    case 'sms':
      return 'sms';
    case 'call':
      return 'call';
    case 'email':
      return 'email';
    case 'web':
      // Duo passcodes: the mock's named extension (factorType 'web', provider 'DUO').
      return provider === 'DUO' ? 'duo' : null;
    default:
      return null;
  }
}

/** ACTIVE factors of kinds the agent can use, newest enrolment first (see orderNewestFirst). */
export function usableFactors(factors: readonly OktaFactor[]): UsableFactor[] {
  const out: UsableFactor[] = [];
  for (const factor of orderNewestFirst(factors)) {
    if (factor.status !== 'ACTIVE') continue;
    const kind = classify(factor);
    if (kind) out.push({ kind, factor });
  }
  return out;
}

/**
 * Newest `created` first; factors without a parseable `created` keep Okta's
 * order after the dated ones. Array.prototype.sort is stable, so ties keep
 * Okta's listing order.
 */
export function orderNewestFirst(factors: readonly OktaFactor[]): OktaFactor[] {
  const at = (f: OktaFactor): number => {
    const t = f.created ? Date.parse(f.created) : Number.NaN;
    return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
  };
  return [...factors].sort((a, b) => at(b) - at(a));
}

/** A user with an ACTIVE Duo enrolment may only use a Duo passcode (documented rule). */
export function isDuoUser(usable: readonly UsableFactor[]): boolean {
  return usable.some((u) => u.kind === 'duo');
}

/**
 * Passcode factors in the order a passcode is tried:
 * Duo users: their Duo factor(s) only. Everyone else: Okta Verify TOTP (every
 * device, newest first), then Google Authenticator, then hardware tokens.
 */
const PASSCODE_ORDER: readonly FactorKind[] = ['okta-verify-totp', 'google-authenticator', 'hardware-token'];

export function passcodeFactors(usable: readonly UsableFactor[]): UsableFactor[] {
  if (isDuoUser(usable)) return usable.filter((u) => u.kind === 'duo');
  return PASSCODE_ORDER.flatMap((kind) => usable.filter((u) => u.kind === kind));
}

/**
 * The out-of-band factor a keyword uses. Several Okta Verify devices: the push
 * goes to the most recently enrolled ACTIVE one only (usable is newest first).
 * Several phones / addresses for SMS, CALL or EMAIL: the newest as well.
 */
export function keywordFactor(usable: readonly UsableFactor[], keyword: Keyword): UsableFactor | null {
  const kind: FactorKind = keyword === 'PUSH' ? 'okta-verify-push' : keyword === 'SMS' ? 'sms' : keyword === 'CALL' ? 'call' : 'email';
  return usable.find((u) => u.kind === kind) ?? null;
}

export function parseKeyword(answer: string): Keyword | null {
  const k = answer.trim().toUpperCase();
  return k === 'PUSH' || k === 'SMS' || k === 'CALL' || k === 'EMAIL' ? k : null;
}

/** Passcodes are digits only (Okta Verify, Google Authenticator, SMS/voice/email codes, Duo). */
export function looksLikePasscode(answer: string): boolean {
  return /^\d{4,10}$/.test(answer.trim());
}

export const FACTOR_LABEL: Readonly<Record<FactorKind, string>> = {
  'okta-verify-totp': 'Okta Verify code',
  'okta-verify-push': 'Okta Verify push',
  'google-authenticator': 'Google Authenticator code',
  'hardware-token': 'token code',
  sms: 'SMS code',
  call: 'voice call code',
  email: 'email code',
  duo: 'Duo passcode',
};

/** "+1 XXX-XXX-1234" for NANP numbers, "number ending 1234" otherwise. Never the full number. */
export function maskPhone(phone: string | undefined): string {
  const digits = (phone ?? '').replace(/\D/g, '');
  if (digits.length < 4) return 'your phone';
  const last4 = digits.slice(-4);
  if (digits.length === 11 && digits.startsWith('1')) return `+1 XXX-XXX-${last4}`;
  return `number ending ${last4}`;
}

/** "a***@example.com". */
export function maskEmail(email: string | undefined): string {
  const at = (email ?? '').indexOf('@');
  if (!email || at < 1) return 'your email address';
  return `${email[0]}***${email.slice(at)}`;
}

/** Where a code went, for the Reply-Message ("by SMS to +1 XXX-XXX-1234"). */
export function deliveryPhrase(u: UsableFactor): string {
  const p = u.factor.profile ?? {};
  if (u.kind === 'sms') return `by SMS to ${maskPhone(p.phoneNumber)}`;
  if (u.kind === 'call') return `by a voice call to ${maskPhone(p.phoneNumber)}`;
  return `by email to ${maskEmail(p.email)}`;
}
