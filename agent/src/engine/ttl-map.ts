import type { Clock } from '../clock.ts';

/**
 * A bounded map whose entries expire on the injected clock. Expiry is checked
 * on read (no timers), so a VirtualClock needs no advancing to keep it tidy and
 * a stopped agent leaves nothing scheduled. Oldest entries go first when full.
 */
export class TtlMap<V> {
  readonly #clock: Clock;
  readonly #max: number;
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(clock: Clock, maxEntries = 10_000) {
    this.#clock = clock;
    this.#max = maxEntries;
  }

  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
