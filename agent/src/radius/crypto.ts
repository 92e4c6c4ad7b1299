import { createHash, hash, timingSafeEqual } from 'node:crypto';

/** A shared secret as given by configuration; strings are UTF-8. */
export type Secret = string | Uint8Array;

export function secretBytes(secret: Secret): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
}

/**
 * Digests are one-shot `crypto.hash` calls with latin1 (one char per octet) output,
 * over a reused scratch buffer: no Hash object (a native handle the garbage collector
 * must finalise) and no fresh ArrayBuffer per digest. On the agent's hygiene path the
 * five Hash objects and digests per request were a fifth of its CPU, and their
 * finalisation a good part of the GC's (bench/README.md).
 */
let scratch = Buffer.allocUnsafe(4096 + 64);
/** Views of `scratch` by length, made once each: hashing a prefix needs no new view per call. */
let scratchViews: Array<Uint8Array | undefined> = [];

/** The first `length` octets of `buf` as a view, remembered in `views` (the buffer never changes). */
function prefix(buf: Buffer, views: Array<Uint8Array | undefined>, length: number): Uint8Array {
  let v = views[length];
  if (!v) {
    v = new Uint8Array(buf.buffer, buf.byteOffset, length);
    views[length] = v;
  }
  return v;
}

function md5Latin1(data: Uint8Array): string {
  // 'binary' is Node's name for latin1: one char per octet.
  return hash('md5', data, 'binary');
}

function md5PartsLatin1(parts: readonly Uint8Array[]): string {
  if (parts.length === 1) return md5Latin1(parts[0]!);
  let total = 0;
  for (const p of parts) total += p.length;
  if (total > scratch.length) {
    scratch = Buffer.allocUnsafe(total);
    scratchViews = [];
  }
  let at = 0;
  for (const p of parts) {
    scratch.set(p, at);
    at += p.length;
  }
  return md5Latin1(prefix(scratch, scratchViews, total));
}

export function md5(...parts: Uint8Array[]): Buffer {
  return Buffer.from(md5PartsLatin1(parts), 'latin1');
}

/** MD5(a ‖ b) written into `target` at `offset` (16 octets), without an intermediate buffer. */
export function md5Into(a: Uint8Array, b: Uint8Array, target: Buffer, offset: number): void {
  target.write(md5PartsLatin1([a, b]), offset, 16, 'latin1');
}

/**
 * HMAC-MD5 (RFC 2104) from two MD5s with the key pads computed once per key.
 * Node's createHmac('md5') costs 15–20 µs a call on these machines against ~4 µs
 * for this (bench/: codec rows), and Message-Authenticator checks run on every
 * packet. The few distinct keys (shared secrets) are kept in a small bounded map.
 */
export function hmacMd5(key: Uint8Array, data: Uint8Array): Buffer {
  return Buffer.from(hmacMd5Latin1(key, data, -1), 'latin1');
}

/** hmacMd5 written into `target` at `offset` (16 octets), without an intermediate buffer. */
export function hmacMd5Into(key: Uint8Array, data: Uint8Array, target: Buffer, offset: number): void {
  target.write(hmacMd5Latin1(key, data, -1), offset, 16, 'latin1');
}

/**
 * hmacMd5Into over `data` as if its 16 octets at `zeroAt` were zeros — a
 * Message-Authenticator's own slot (RFC 3579 §3.2) — without changing `data`.
 */
export function hmacMd5ZeroedInto(key: Uint8Array, data: Uint8Array, zeroAt: number, target: Buffer, offset: number): void {
  target.write(hmacMd5Latin1(key, data, zeroAt), offset, 16, 'latin1');
}

function hmacMd5Latin1(key: Uint8Array, data: Uint8Array, zeroAt: number): string {
  const pads = padsFor(key);
  let inner: string;
  if (64 + data.length <= pads.innerInput.length) {
    pads.innerInput.set(data, 64);
    if (zeroAt >= 0) pads.innerInput.fill(0, 64 + zeroAt, 64 + zeroAt + 16);
    inner = md5Latin1(prefix(pads.innerInput, pads.innerViews, 64 + data.length));
  } else {
    const h = createHash('md5').update(pads.inner);
    if (zeroAt >= 0) h.update(data.subarray(0, zeroAt)).update(new Uint8Array(16)).update(data.subarray(zeroAt + 16));
    else h.update(data);
    inner = h.digest('binary');
  }
  pads.outerInput.write(inner, 64, 16, 'latin1');
  return md5Latin1(pads.outerInput);
}

interface Pads {
  inner: Buffer;
  /** ipad then room for a RADIUS packet (4096 octets): the inner hash's input, reused. */
  innerInput: Buffer;
  /** Views of innerInput by length (see prefix). */
  innerViews: Array<Uint8Array | undefined>;
  /** opad then the inner digest: the outer hash's input, reused. */
  outerInput: Buffer;
}

const MAX_CACHED_KEYS = 256;
const padCache = new Map<string, Pads>();
/** The last key asked for (a copy) and its pads: one secret per client, so the same key comes back packet after packet. */
let lastKey: Buffer | undefined;
let lastPads: Pads | undefined;

function padsFor(key: Uint8Array): Pads {
  if (lastPads && lastKey && Buffer.compare(lastKey, key) === 0) return lastPads;
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
    const innerInput = Buffer.alloc(64 + 4096);
    inner.copy(innerInput);
    const outerInput = Buffer.alloc(64 + 16);
    outer.copy(outerInput);
    pads = { inner, innerInput, innerViews: [], outerInput };
    if (padCache.size >= MAX_CACHED_KEYS) padCache.delete(padCache.keys().next().value!);
    padCache.set(id, pads);
  }
  lastKey = Buffer.from(key);
  lastPads = pads;
  return pads;
}

/** Constant-time equality; different lengths are simply unequal (length is not secret here). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
