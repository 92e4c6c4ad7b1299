/**
 * One-time-password arithmetic for the virtual apps, on the shared clock.
 * otplib does the RFC 4226/6238 work; this module adds what a phone app needs
 * around it: reading an otpauth:// URI, codes for a given step offset (window
 * scenarios), and a secret-length guardrail relaxed to Okta's 80-bit secrets.
 */
import { createGuardrails, generateSync } from 'otplib';
import { CodedError } from '../../agent/src/errors.ts';

export type OtpAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type OtpDigits = 6 | 7 | 8;

export interface TotpParams {
  /** Base32 shared secret (upper case, no spaces or padding). */
  secret: string;
  period: number;
  digits: OtpDigits;
  algorithm: OtpAlgorithm;
}

/** What an authenticator reads from a QR code (otpauth:// URI). */
export interface OtpauthAccount extends TotpParams {
  issuer: string;
  /** Account name shown in the app, e.g. "alice@corp.example". */
  label: string;
}

// Okta hands out 16-character base32 secrets (10 bytes); otplib's default
// minimum of 16 bytes would refuse them, so the floor is lowered to what the
// real apps accept.
const guardrails = createGuardrails({ MIN_SECRET_BYTES: 10 });

const BASE32 = /^[A-Z2-7]+$/;

/** Upper-cases, drops spaces/dashes and '=' padding; refuses anything that is not base32. */
export function normaliseSecret(secret: string): string {
  const s = secret.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (s.length < 16 || !BASE32.test(s)) {
    throw new CodedError(
      'DEVICE_BAD_SECRET',
      'The shared secret is not a base32 string of at least 16 characters; pass the secret exactly as the org returned it.',
    );
  }
  return s;
}

/** TOTP time step number for an epoch time in ms. */
export function timeStep(epochMs: number, period = 30): number {
  return Math.floor(epochMs / 1000 / period);
}

/** TOTP code for the step at `epochMs`, shifted by `stepOffset` steps (-1 previous, +1 next). */
export function totpCode(params: TotpParams, epochMs: number, stepOffset = 0): string {
  const step = timeStep(epochMs, params.period) + stepOffset;
  return generateSync({
    secret: params.secret,
    strategy: 'totp',
    epoch: step * params.period,
    period: params.period,
    digits: params.digits,
    algorithm: params.algorithm,
    guardrails,
  });
}

/** HOTP code for a counter (Duo Mobile passcodes). */
export function hotpCode(secret: string, counter: number, digits: OtpDigits = 6): string {
  return generateSync({ secret, strategy: 'hotp', counter, digits, guardrails });
}

/**
 * Reads an otpauth://totp/ URI the way an authenticator app's QR scanner does.
 * Unknown parameters are ignored (as the apps do); missing ones take the
 * Google Authenticator defaults (SHA1, 6 digits, 30 s).
 */
export function parseOtpauthUri(uri: string): OtpauthAccount {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw badUri('it is not a URI');
  }
  if (url.protocol !== 'otpauth:') throw badUri('the scheme is not otpauth:');
  if (url.host.toLowerCase() !== 'totp') throw badUri(`type "${url.host}" is not totp`);
  const secretParam = url.searchParams.get('secret');
  if (!secretParam) throw badUri('it has no secret parameter');
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const colon = path.indexOf(':');
  const labelIssuer = colon >= 0 ? path.slice(0, colon) : '';
  const label = colon >= 0 ? path.slice(colon + 1).trim() : path;
  const issuer = url.searchParams.get('issuer') ?? labelIssuer;
  const algorithm = (url.searchParams.get('algorithm') ?? 'SHA1').toLowerCase();
  if (algorithm !== 'sha1' && algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw badUri(`algorithm ${algorithm} is not supported`);
  }
  const digits = Number(url.searchParams.get('digits') ?? '6');
  if (digits !== 6 && digits !== 7 && digits !== 8) throw badUri(`digits ${digits} is not 6, 7 or 8`);
  const period = Number(url.searchParams.get('period') ?? '30');
  if (!Number.isInteger(period) || period <= 0) throw badUri(`period ${period} is not a positive integer`);
  return { issuer, label, secret: normaliseSecret(secretParam), algorithm, digits, period };
}

function badUri(why: string): CodedError {
  // The URI carries the secret, so it is never echoed back.
  return new CodedError('DEVICE_BAD_OTPAUTH_URI', `The scanned code is not a usable otpauth:// TOTP URI: ${why}.`);
}
