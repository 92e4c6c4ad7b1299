/**
 * Admission to the connection pool: at most `capacity` Okta calls in flight,
 * the rest wait here — sign-in calls before push polls, and among sign-in calls
 * the oldest request's first (its calls keep the place its first call got, so
 * requests finish in arrival order instead of each waiting behind every later
 * request's lookups: a convoy that made all of them late) — instead of
 * in undici's queue. So a call's own time-out (requestTimeoutMs) starts when it
 * gets a connection, not while thousands of pushes queue ahead of it; a waiting
 * call costs a small record, not an HTTP request object; and a lookup never
 * waits behind polls. The wait ends with the caller's signal (its request's
 * deadline).
 */
export type CallClass = 'call' | 'poll';

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  cancelled: boolean;
  /** Lower first (the request's place), then insertion order. */
  rank: number;
  seq: number;
}

/** A min-heap of waiters on (rank, seq). */
class Heap {
  readonly #h: Waiter[] = [];
  #less(a: Waiter, b: Waiter): boolean {
    return a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq);
  }
  push(w: Waiter): void {
    const h = this.#h;
    h.push(w);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  shift(): Waiter | undefined {
    const h = this.#h;
    while (h.length > 0) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
          if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
      }
      if (!top.cancelled) return top;
    }
    return undefined;
  }
  get length(): number {
    return this.#h.length;
  }
}

class Fifo {
  #items: Waiter[] = [];
  #head = 0;
  push(w: Waiter): void {
    this.#items.push(w);
  }
  shift(): Waiter | undefined {
    while (this.#head < this.#items.length) {
      const w = this.#items[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (!w.cancelled) return w;
    }
    return undefined;
  }
  get length(): number {
    return this.#items.length - this.#head;
  }
}

export class CallSlots {
  readonly #capacity: number;
  #inUse = 0;
  readonly #calls = new Heap();
  readonly #polls = new Fifo();
  #seq = 0;
  /** A request's place: given on its first call, by its signal (one per request). */
  readonly #rankOf = new WeakMap<AbortSignal, number>();

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** Waiting calls (cancelled ones may still be counted until they come up). */
  get waiting(): number {
    return this.#calls.length + this.#polls.length;
  }

  /** Resolves with a release function once a slot is free; rejects with the signal's reason if it aborts first. */
  acquire(cls: CallClass, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const seq = this.#seq++;
    let rank = seq;
    if (signal) {
      const known = this.#rankOf.get(signal);
      if (known === undefined) this.#rankOf.set(signal, seq);
      else rank = known;
    }
    if (this.#inUse < this.#capacity && this.#calls.length === 0 && (cls === 'call' || this.#polls.length === 0)) {
      this.#inUse++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject, cancelled: false, rank, seq };
      if (signal) {
        const onAbort = (): void => {
          w.cancelled = true;
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        w.resolve = (release) => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        };
      }
      (cls === 'call' ? this.#calls : this.#polls).push(w);
    });
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#calls.shift() ?? this.#polls.shift();
      if (next) next.resolve(this.#releaser());
      else this.#inUse--;
    };
  }
}
