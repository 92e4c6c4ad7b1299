import type { Clock } from '../clock.ts';
import type { CallSlots } from './call-slots.ts';
import { RateWindow } from './rate-window.ts';
import { WakeTimer } from './wake-timer.ts';

/**
 * One schedule for every pending push's polls, so thousands of pushes waiting
 * at once neither flood Okta nor queue the sign-ins behind them:
 * - a poll budget: at most `pollsPerSecond` polls start in any one second (a
 *   sliding window, rate-window.ts), whatever the number of pushes;
 * - the agent-wide admission (`slots`, call-slots.ts): a poll starts only when
 *   it can start now — no sign-in call waiting, a connection free, and room in
 *   the agent's Okta call budget — so polls take only what sign-in calls leave,
 *   and never wait anywhere but here;
 * - a cap on polls in flight (`maxInFlight`, half the connection pool by
 *   default), so lookups and verifies always find a connection free;
 * - earliest due first: when the budget is short, every push is polled in
 *   turn and late ones before early ones, instead of whoever asked last; the
 *   gap between two polls of a push grows by itself with the queue (back-off
 *   within what is left);
 * - a wait ends at `lastAt` at the latest (then the push makes its last poll,
 *   as a sign-in call: client.ts).
 * A waiting push costs one small record in two heaps (by due time, by `lastAt`)
 * and an abort listener: no timer, promise chain or AbortController of its own;
 * one timer serves the whole schedule.
 */

export interface PollSchedulerOptions {
  clock: Clock;
  pollsPerSecond: number;
  maxInFlight: number;
  /** Agent-wide admission; a poll handed out holds one of its slots until `done()`. */
  slots?: CallSlots;
}

interface Waiter {
  dueAt: number;
  lastAt: number;
  seq: number;
  resolve: (done: (() => void) | undefined) => void;
  reject: (reason: unknown) => void;
  settled: boolean;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Positions in the two heaps (-1: not in it), so a settled waiter leaves both at once. */
  at: [number, number];
}

/** A binary min-heap of waiters on (key, seq) that knows each waiter's position (O(log n) removal). */
class WaiterHeap {
  readonly #h: Waiter[] = [];
  readonly #key: (w: Waiter) => number;
  readonly #slot: 0 | 1;
  constructor(key: (w: Waiter) => number, slot: 0 | 1) {
    this.#key = key;
    this.#slot = slot;
  }
  get size(): number {
    return this.#h.length;
  }
  #less(i: number, j: number): boolean {
    const a = this.#h[i]!;
    const b = this.#h[j]!;
    const ka = this.#key(a);
    const kb = this.#key(b);
    return ka < kb || (ka === kb && a.seq < b.seq);
  }
  #swap(i: number, j: number): void {
    const h = this.#h;
    const a = h[i]!;
    const b = h[j]!;
    h[i] = b;
    h[j] = a;
    b.at[this.#slot] = i;
    a.at[this.#slot] = j;
  }
  #up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(i, p)) return;
      this.#swap(i, p);
      i = p;
    }
  }
  #down(i: number): void {
    const n = this.#h.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#less(l, m)) m = l;
      if (r < n && this.#less(r, m)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
  push(w: Waiter): void {
    w.at[this.#slot] = this.#h.length;
    this.#h.push(w);
    this.#up(this.#h.length - 1);
  }
  peek(): Waiter | undefined {
    return this.#h[0];
  }
  remove(w: Waiter): void {
    const i = w.at[this.#slot];
    if (i < 0) return;
    w.at[this.#slot] = -1;
    const h = this.#h;
    const last = h.pop()!;
    if (i === h.length) return;
    h[i] = last;
    last.at[this.#slot] = i;
    this.#down(i);
    this.#up(i);
  }
}

export class PollScheduler {
  readonly #clock: Clock;
  readonly #maxInFlight: number;
  readonly #slots: CallSlots | undefined;
  readonly #byDue = new WaiterHeap((w) => w.dueAt, 0);
  readonly #byLast = new WaiterHeap((w) => w.lastAt, 1);
  #seq = 0;
  readonly #window: RateWindow;
  #inFlight = 0;
  readonly #wake: WakeTimer;
  #started = 0;
  #closed = false;

  constructor(options: PollSchedulerOptions) {
    this.#clock = options.clock;
    this.#maxInFlight = Math.max(1, options.maxInFlight);
    this.#window = new RateWindow(Math.max(0.001, options.pollsPerSecond));
    this.#slots = options.slots;
    this.#wake = new WakeTimer(this.#clock, () => this.#pump());
    // Room for polls opened in the agent-wide admission (a slot freed, no sign-in call waiting).
    options.slots?.onRoom(() => this.#pump());
  }

  /** Polls waiting for their turn. */
  get waiting(): number {
    return this.#byDue.size;
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
   * finished (with `slots`, the poll holds one of its slots until then); or with
   * undefined at `lastAt` when no turn came before it (`dueAt >= lastAt`: simply
   * at `lastAt`). Rejects with the signal's reason if it aborts first.
   */
  wait(dueAt: number, signal?: AbortSignal, lastAt: number = Number.POSITIVE_INFINITY): Promise<(() => void) | undefined> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const w: Waiter = { dueAt, lastAt, seq: this.#seq++, resolve, reject, settled: false, signal, onAbort: undefined, at: [-1, -1] };
      if (signal) {
        w.onAbort = (): void => {
          if (w.settled) return;
          w.settled = true;
          this.#byDue.remove(w);
          this.#byLast.remove(w);
          reject(signal.reason);
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.#byDue.push(w);
      if (lastAt !== Number.POSITIVE_INFINITY) this.#byLast.push(w);
      this.#pump();
    });
  }

  /** Stops the timer; waiters stay pending (their callers' signals end them). */
  close(): void {
    this.#closed = true;
    this.#wake.cancel();
  }

  #settle(w: Waiter, done: (() => void) | undefined): void {
    w.settled = true;
    this.#byDue.remove(w);
    this.#byLast.remove(w);
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    w.resolve(done);
  }

  #pump(): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    // Waits that reached their last moment end now: the push makes its last poll.
    for (let w = this.#byLast.peek(); w && w.lastAt <= now; w = this.#byLast.peek()) this.#settle(w, undefined);
    let wakeAt = this.#byLast.peek()?.lastAt ?? Number.POSITIVE_INFINITY;
    for (;;) {
      const top = this.#byDue.peek();
      if (!top) break;
      if (top.dueAt > now) {
        wakeAt = Math.min(wakeAt, top.dueAt);
        break;
      }
      if (this.#inFlight >= this.#maxInFlight) break; // done() pumps again
      const allowedAt = this.#window.nextAt(now);
      if (allowedAt > now) {
        wakeAt = Math.min(wakeAt, allowedAt);
        break;
      }
      let release: (() => void) | undefined;
      if (this.#slots) {
        release = this.#slots.tryStart('poll');
        // No room now: at the budget's next opening, or when the admission calls onRoom.
        if (!release) {
          wakeAt = Math.min(wakeAt, this.#slots.pollRoomAt(now));
          break;
        }
      }
      this.#window.take(now);
      this.#inFlight++;
      this.#started++;
      let finished = false;
      this.#settle(top, () => {
        if (finished) return;
        finished = true;
        this.#inFlight--;
        // Releasing the slot calls onRoom, which pumps; without slots, pump here.
        if (release) release();
        else this.#pump();
      });
    }
    if (wakeAt !== Number.POSITIVE_INFINITY) this.#wake.at(wakeAt);
  }
}

/**
 * When a push polls next: the interval, but never past its last poll, which comes
 * `finalLeadMs` before the deadline so an answer given late is still seen.
 * Returns undefined when no poll fits before the deadline.
 */
export function nextPollAt(now: number, deadline: number, intervalMs: number, finalLeadMs: number): number | undefined {
  const finalAt = deadline - finalLeadMs;
  if (now >= finalAt) return undefined;
  return Math.min(now + intervalMs, finalAt);
}
