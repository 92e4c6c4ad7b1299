import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A shared secret as given by configuration; strings are UTF-8. */
export type Secret = string | Uint8Array;

export function secretBytes(secret: Secret): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
}

export function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function hmacMd5(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('md5', key).update(data).digest();
}

/** Constant-time equality; different lengths are simply unequal (length is not secret here). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
