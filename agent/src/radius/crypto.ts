import { createHash, timingSafeEqual } from 'node:crypto';

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

/**
 * HMAC-MD5 (RFC 2104) from two MD5s with the key pads computed once per key.
 * Node's createHmac('md5') costs 15–20 µs a call on these machines against ~4 µs
 * for this (bench/: codec rows), and Message-Authenticator checks run on every
 * packet. The few distinct keys (shared secrets) are kept in a small bounded map.
 */
export function hmacMd5(key: Uint8Array, data: Uint8Array): Buffer {
  const pads = padsFor(key);
  const inner = createHash('md5').update(pads.inner).update(data).digest();
  return createHash('md5').update(pads.outer).update(inner).digest();
}

const MAX_CACHED_KEYS = 256;
const padCache = new Map<string, { inner: Buffer; outer: Buffer }>();

function padsFor(key: Uint8Array): { inner: Buffer; outer: Buffer } {
  const id = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64');
  let pads = padCache.get(id);
  if (!pads) {
    const block = Buffer.alloc(64);
    (key.length > 64 ? md5(key) : Buffer.from(key)).copy(block);
    const inner = Buffer.alloc(64);
    const outer = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) {
      inner[i] = block[i]! ^ 0x36;
      outer[i] = block[i]! ^ 0x5c;
    }
    pads = { inner, outer };
    if (padCache.size >= MAX_CACHED_KEYS) padCache.delete(padCache.keys().next().value!);
    padCache.set(id, pads);
  }
  return pads;
}

/** Constant-time equality; different lengths are simply unequal (length is not secret here). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
