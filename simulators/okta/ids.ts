/**
 * Okta-style ids: 20 characters, a 3-character prefix that names the kind
 * ("00u" user, "00g" group, "0oa" app, "ost" TOTP factor, …). Deterministic per
 * org (a seeded generator) so that a seeded lab gets the same ids every run.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export class IdGenerator {
  #state: number;

  constructor(seed = 0x5eed) {
    this.#state = seed >>> 0 || 1;
  }

  /** mulberry32: tiny, fast, good enough for ids (not for secrets). */
  #next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chars(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(this.#next() * ALPHABET.length)];
    return s;
  }

  /** A 20-character id with the given 3-character prefix. */
  id(prefix: string): string {
    return prefix + this.chars(20 - prefix.length);
  }

  /** Six decimal digits (SMS / voice / email codes). */
  digits(n = 6): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.#next() * 10));
    return s;
  }
}

export const ID_PREFIX = {
  user: '00u',
  group: '00g',
  app: '0oa',
  token: '00T',
  error: 'oae',
  factor: {
    'token:software:totp': 'ost',
    push: 'opf',
    sms: 'mbl',
    call: 'clf',
    email: 'emf',
    web: 'dsf',
  },
} as const;
