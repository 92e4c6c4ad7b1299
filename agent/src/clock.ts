/**
 * The one clock. Everything that waits, expires or timestamps goes through an
 * injected Clock so tests (and the simulators' VirtualClock) can move time
 * instead of sleeping. Nothing under test reads Date.now() directly.
 */
export interface TimerHandle {
  /** Opaque; only meaningful to the clock that made it. */
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch, like Date.now(). */
  now(): number;
  /** Run `fn` once after `ms` milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Resolves after `ms` of the given clock's time; rejects with the signal's reason if aborted. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real clock, for production use of the agent. */
export class SystemClock implements Clock {
  #next = 1;
  readonly #timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    const t = setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, ms);
    // A pending expiry timer must never keep the process alive on its own.
    t.unref();
    this.#timers.set(id, t);
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const t = this.#timers.get(handle.id);
    if (t) {
      clearTimeout(t);
      this.#timers.delete(handle.id);
    }
  }
}

export const systemClock: Clock = new SystemClock();
