/**
 * Values a seed leaves out but a lab must make the same way every run:
 * shared secrets and the org's id seed, derived from the seed key with
 * SHA-256. Not secret-grade randomness, on purpose: a lab is reproducible.
 */
import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, no padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** A 20-byte (32-character) base32 secret for one factor of one user. */
export function derivedSecret(seedKey: string, login: string, factorIndex: number): string {
  const digest = createHash('sha256').update(`radius-mfa-harness lab secret\0${seedKey}\0${login.toLowerCase()}\0${factorIndex}`).digest();
  return base32(digest.subarray(0, 20));
}

/** 32-bit number for the org's id generator. */
export function derivedNumber(seedKey: string): number {
  return createHash('sha256').update(`radius-mfa-harness lab ids\0${seedKey}`).digest().readUInt32BE(0);
}

/**
 * The SSWS API token of a seed's org when the seed fixes none: stable, so an
 * agent configured against a served lab keeps working across restarts. Like
 * every derived value it is only as secret as the seed; a lab is not a vault.
 */
export function derivedApiToken(seedKey: string): string {
  return `00${createHash('sha256').update(`radius-mfa-harness lab api token\0${seedKey}`).digest('base64url').slice(0, 40)}`;
}

/** The RADIUS shared secret written into a reference-agent config for a seed's lab (32 characters). */
export function derivedRadiusSecret(seedKey: string): string {
  return createHash('sha256').update(`radius-mfa-harness lab radius secret\0${seedKey}`).digest('base64url').slice(0, 32);
}
