import type { Clock, TimerHandle } from '../clock.ts';
import { RateWindow } from './rate-window.ts';

/**
 * One schedule for every pending push's polls, so thousands of pushes waiting
 * at once neither flood Okta nor queue the sign-ins behind them:
 * - a budget: at most `pollsPerSecond` polls start in any one second (a sliding
 *   window, rate-window.ts), whatever the number of pushes; the agent-wide
 *   call budget (call-slots.ts) then lets them start after the sign-in calls;
 * - a cap on polls in flight (`maxInFlight`, half the connection pool by
 *   default), so lookups and verifies always find a connection free;
 * - earliest due first: when the budget is short, every push is polled in
 *   turn and late ones before early ones, instead of whoever asked last.
 * Each push asks `wait(dueAt)` before a poll and calls the returned `done()`
 * after it. Waiting costs one small record in a heap: no timer per push.
 */

export interface PollSchedulerOptions {
  clock: Clock;
  pollsPerSecond: number;
  maxInFlight: number;
}

interface Waiter {
  dueAt: number;
  seq: number;
  resolve: (done: () => void) => void;
  reject: (reason: unknown) => void;
  cancelled: boolean;
}

export class PollScheduler {
  readonly #clock: Clock;
  readonly #rate: number;
  readonly #maxInFlight: number;
  readonly #heap: Waiter[] = [];
  #seq = 0;
  readonly #window: RateWindow;
  #inFlight = 0;
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #started = 0;

  constructor(options: PollSchedulerOptions) {
    this.#clock = options.clock;
    this.#rate = Math.max(0.001, options.pollsPerSecond);
    this.#maxInFlight = Math.max(1, options.maxInFlight);
    this.#window = new RateWindow(this.#rate);
  }

  /** Polls waiting for their turn. */
  get waiting(): number {
    return this.#heap.length;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Polls let through so far. */
  get started(): number {
    return this.#started;
  }

  /**
   * Resolves, at `dueAt` or later, with a `done` to call when the poll has
   * finished; rejects with the signal's reason if it aborts first.
   */
  wait(dueAt: number, signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const w: Waiter = { dueAt, seq: this.#seq++, resolve, reject, cancelled: false };
      if (signal) {
        const onAbort = (): void => {
          w.cancelled = true;
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        w.resolve = (done) => {
          signal.removeEventListener('abort', onAbort);
          resolve(done);
        };
      }
      this.#push(w);
      this.#pump();
    });
  }

  /** Stops the timer; waiters stay pending (their callers' signals end them). */
  close(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #pump(): void {
    const now = this.#clock.now();
    for (;;) {
      const top = this.#heap[0];
      if (!top) return;
      if (top.cancelled) {
        this.#pop();
        continue;
      }
      if (top.dueAt > now) {
        this.#arm(top.dueAt);
        return;
      }
      if (this.#inFlight >= this.#maxInFlight) return; // done() pumps again
      const allowedAt = this.#window.nextAt(now);
      if (allowedAt > now) {
        this.#arm(allowedAt);
        return;
      }
      this.#pop();
      this.#window.take(now);
      this.#inFlight++;
      this.#started++;
      let finished = false;
      top.resolve(() => {
        if (finished) return;
        finished = true;
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  #arm(at: number): void {
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(0, Math.ceil(at - this.#clock.now())),
    );
  }

  // Binary min-heap on (dueAt, seq).
  #less(a: Waiter, b: Waiter): boolean {
    return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
  }

  #push(w: Waiter): void {
    const h = this.#heap;
    h.push(w);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
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
}

/**
 * When a push polls next: the interval grows by `growth` per poll up to `maxMs`
 * (most pushes are answered in seconds; the long tail is polled less), and the
 * last poll comes `finalLeadMs` before the deadline so an answer given late is
 * still seen. Returns undefined when no poll fits before the deadline.
 */
export function nextPollAt(now: number, deadline: number, intervalMs: number, finalLeadMs: number): number | undefined {
  const finalAt = deadline - finalLeadMs;
  if (now >= finalAt) return undefined;
  return Math.min(now + intervalMs, finalAt);
}
