/**
 * Admission to the connection pool: at most `capacity` Okta calls in flight,
 * the rest wait here — in order, sign-in calls before push polls — instead of
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
  readonly #calls = new Fifo();
  readonly #polls = new Fifo();

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
    if (this.#inUse < this.#capacity && this.#calls.length === 0 && (cls === 'call' || this.#polls.length === 0)) {
      this.#inUse++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject, cancelled: false };
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
