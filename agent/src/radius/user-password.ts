import { CodedError } from '../errors.ts';
import { md5, type Secret, secretBytes } from './crypto.ts';

/**
 * User-Password hiding, RFC 2865 §5.2: the password is NUL-padded to a multiple
 * of 16 octets (16..128) and XORed with an MD5 chain seeded by secret + Request
 * Authenticator. Callers get Buffers; nothing here logs.
 */

export const MAX_USER_PASSWORD_LENGTH = 128;

function check16(requestAuthenticator: Uint8Array): void {
  if (requestAuthenticator.length !== 16) {
    throw new CodedError(
      'RADIUS_BAD_AUTHENTICATOR',
      `the Request Authenticator must be 16 octets, got ${requestAuthenticator.length}`,
    );
  }
}

function xorChain(input: Buffer, secret: Secret, requestAuthenticator: Uint8Array, hiding: boolean): Buffer {
  const s = secretBytes(secret);
  const out = Buffer.alloc(input.length);
  let prev: Uint8Array = requestAuthenticator;
  for (let off = 0; off < input.length; off += 16) {
    const b = md5(s, prev);
    for (let i = 0; i < 16; i++) out[off + i] = input[off + i]! ^ b[i]!;
    // The chain continues from the ciphertext block in both directions.
    prev = hiding ? out.subarray(off, off + 16) : input.subarray(off, off + 16);
  }
  return out;
}

/**
 * Hide a clear password (0..128 octets; an empty password becomes 16 hidden
 * NULs). Throws RADIUS_USER_PASSWORD_TOO_LONG past 128 octets.
 */
export function hideUserPassword(password: string | Uint8Array, secret: Secret, requestAuthenticator: Uint8Array): Buffer {
  check16(requestAuthenticator);
  const clear = typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password);
  if (clear.length > MAX_USER_PASSWORD_LENGTH) {
    throw new CodedError(
      'RADIUS_USER_PASSWORD_TOO_LONG',
      `User-Password is ${clear.length} octets; RFC 2865 allows at most ${MAX_USER_PASSWORD_LENGTH} — shorten it`,
      { length: clear.length },
    );
  }
  const padded = Buffer.alloc(Math.max(16, Math.ceil(clear.length / 16) * 16));
  clear.copy(padded);
  return xorChain(padded, secret, requestAuthenticator, true);
}

/**
 * Recover the clear password (trailing NUL padding removed). A hidden value that
 * is not 16..128 octets in steps of 16 — including an empty attribute — throws
 * RADIUS_BAD_USER_PASSWORD_LENGTH. A wrong secret cannot be detected here: it
 * yields garbage, which the password check then rejects.
 */
export function unhideUserPassword(hidden: Uint8Array, secret: Secret, requestAuthenticator: Uint8Array): Buffer {
  check16(requestAuthenticator);
  if (hidden.length < 16 || hidden.length > MAX_USER_PASSWORD_LENGTH || hidden.length % 16 !== 0) {
    throw new CodedError(
      'RADIUS_BAD_USER_PASSWORD_LENGTH',
      `hidden User-Password is ${hidden.length} octets; RFC 2865 §5.2 requires 16..128 in multiples of 16 — the client encodes it wrongly`,
      { length: hidden.length },
    );
  }
  const padded = xorChain(Buffer.from(hidden), secret, requestAuthenticator, false);
  let end = padded.length;
  while (end > 0 && padded[end - 1] === 0) end--;
  return padded.subarray(0, end);
}
