import { type Clock, systemClock } from '../clock.ts';
import { requestDeadlineOf } from './deadlines.ts';
import { RateWindow } from './rate-window.ts';
import { WakeTimer } from './wake-timer.ts';

/**
 * Admission of every Okta call: at most `capacity` in flight (the connection
 * pool) and, with a budget, at most `callsPerSecond` started in any one second
 * over ALL calls of the agent — lookups, verifies, polls, retries. The rest wait
 * here, not in undici's queue, in this order:
 * - sign-in calls (lookups, the first verify, a push's last poll) before polls;
 * - among sign-in calls the oldest request's first: a request's calls keep the
 *   place its first call got, so a storm of sign-ins finishes in arrival order
 *   instead of each waiting behind every later request's lookups (a convoy that
 *   made all of them late);
 * - polls in the order they come (the poll schedule already hands them out
 *   earliest due first), with what sign-in calls leave of the budget.
 * So a call's own time-out (requestTimeoutMs) starts when it gets a connection,
 * a waiting call costs a small record, and a lookup never waits behind polls.
 * A wait ends with the caller's signal (its request's deadline). A request's
 * first call that cannot start before the request's deadline — the sign-in calls
 * ahead of it need longer at the budget's rate — ends the request at once as
 * timed out (deadlines.ts), answered per the response mode, instead of holding
 * it until the deadline.
 */
export type CallClass = 'call' | 'poll';

export interface CallSlotsOptions {
  /** Calls in flight at most (the connection pool's size). */
  capacity: number;
  /** Budget: calls started in any one second, over all calls. Absent = no budget. */
  callsPerSecond?: number | undefined;
  /** The clock the budget's window runs on (default: the system clock). */
  clock?: Clock;
}

export interface CallSlotsStats {
  /** Calls let through, by class. */
  started: { call: number; poll: number };
  /** Requests ended at once because their first call could not start before their deadline. */
  shed: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  cancelled: boolean;
  /** Lower first (the request's place), then insertion order. */
  rank: number;
  seq: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
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
  /** The first live waiter, dropping cancelled ones on the way. */
  peek(): Waiter | undefined {
    while (this.#h.length > 0 && this.#h[0]!.cancelled) this.#pop();
    return this.#h[0];
  }
  shift(): Waiter | undefined {
    const top = this.peek();
    if (top) this.#pop();
    return top;
  }
  #pop(): void {
    const h = this.#h;
    const last = h.pop()!;
    if (h.length === 0) return;
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

class Fifo {
  #items: Waiter[] = [];
  #head = 0;
  push(w: Waiter): void {
    this.#items.push(w);
  }
  peek(): Waiter | undefined {
    while (this.#head < this.#items.length && this.#items[this.#head]!.cancelled) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return this.#items[this.#head];
  }
  shift(): Waiter | undefined {
    const w = this.peek();
    if (w) this.#head++;
    return w;
  }
}

export class CallSlots {
  readonly #capacity: number;
  readonly #clock: Clock;
  readonly #window: RateWindow | undefined;
  /** Milliseconds per call at the budget's rate (0 without a budget). */
  readonly #msPerCall: number;
  #inUse = 0;
  readonly #calls = new Heap();
  readonly #polls = new Fifo();
  /** Live (not cancelled) waiters of each class. */
  #waitingCalls = 0;
  #waitingPolls = 0;
  #seq = 0;
  /** A request's place: given on its first call, by its signal (one per request). */
  readonly #rankOf = new WeakMap<AbortSignal, number>();
  readonly #wake: WakeTimer;
  readonly #stats: CallSlotsStats = { started: { call: 0, poll: 0 }, shed: 0 };
  #onRoom: (() => void) | undefined;
  #inRoom = false;

  constructor(options: number | CallSlotsOptions) {
    const o = typeof options === 'number' ? { capacity: options } : options;
    this.#capacity = Math.max(1, o.capacity);
    this.#clock = o.clock ?? systemClock;
    this.#window = o.callsPerSecond === undefined ? undefined : new RateWindow(o.callsPerSecond);
    this.#msPerCall = o.callsPerSecond === undefined ? 0 : 1000 / o.callsPerSecond;
    this.#wake = new WakeTimer(this.#clock, () => this.#pump());
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** Calls waiting for a slot or for the budget. */
  get waiting(): number {
    return this.#waitingCalls + this.#waitingPolls;
  }

  get stats(): CallSlotsStats {
    return { started: { ...this.#stats.started }, shed: this.#stats.shed };
  }

  /**
   * Resolves with a release function once the call may start; rejects with the
   * signal's reason if it aborts first. `place`: whose place the call takes among
   * sign-in calls (default: `signal`'s; a push's last poll passes its request's).
   */
  acquire(cls: CallClass, signal?: AbortSignal, place: AbortSignal | undefined = signal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const seq = this.#seq++;
    let rank = seq;
    let first = true;
    if (place) {
      const known = this.#rankOf.get(place);
      if (known === undefined) this.#rankOf.set(place, seq);
      else {
        rank = known;
        first = false;
      }
    }
    const now = this.#clock.now();
    // Nothing ahead of it and room now: no record, no promise of our own.
    if (this.#inUse < this.#capacity && this.#waitingCalls === 0 && (cls === 'call' || this.#waitingPolls === 0) && this.#budgetAt(now) <= now) {
      this.#start(cls, now);
      return Promise.resolve(this.#releaser());
    }
    if (cls === 'call' && first && this.#window && signal) {
      // Its calls come after every sign-in call waiting now (it is the newest request).
      const deadline = requestDeadlineOf(signal);
      if (deadline && this.#budgetAt(now) + this.#waitingCalls * this.#msPerCall >= deadline.at) {
        this.#stats.shed++;
        deadline.expire();
        if (signal.aborted) return Promise.reject(signal.reason);
      }
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject, cancelled: false, rank, seq, signal, onAbort: undefined };
      if (signal) {
        w.onAbort = (): void => {
          w.cancelled = true;
          if (cls === 'call') this.#waitingCalls--;
          else this.#waitingPolls--;
          reject(signal.reason);
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      if (cls === 'call') {
        this.#calls.push(w);
        this.#waitingCalls++;
      } else {
        this.#polls.push(w);
        this.#waitingPolls++;
      }
      this.#pump();
    });
  }

  /**
   * Starts a call now if it can start now (a slot free, the budget open, nothing
   * waiting ahead of it); else undefined. The poll schedule pulls its polls this way.
   */
  tryStart(cls: CallClass): (() => void) | undefined {
    const now = this.#clock.now();
    if (this.#inUse >= this.#capacity || this.#waitingCalls > 0 || (cls === 'poll' && this.#waitingPolls > 0) || this.#budgetAt(now) > now) return undefined;
    this.#start(cls, now);
    return this.#releaser();
  }

  /**
   * When a poll could next start by the budget alone; infinity when a slot or the
   * sign-in calls waiting must go first (`onRoom` is called then).
   */
  pollRoomAt(now: number): number {
    if (this.#inUse >= this.#capacity || this.#waitingCalls > 0 || this.#waitingPolls > 0) return Number.POSITIVE_INFINITY;
    return this.#budgetAt(now);
  }

  /** Called when room for polls opens: a slot freed or the budget's window moved, with no call waiting. */
  onRoom(listener: () => void): void {
    this.#onRoom = listener;
  }

  /** Stops the budget's timer; waiters stay pending (their callers' signals end them). */
  close(): void {
    this.#wake.cancel();
  }

  #budgetAt(now: number): number {
    return this.#window ? this.#window.nextAt(now) : now;
  }

  #start(cls: CallClass, now: number): void {
    this.#inUse++;
    this.#window?.take(now);
    this.#stats.started[cls]++;
  }

  #pump(): void {
    const now = this.#clock.now();
    while (this.#inUse < this.#capacity) {
      const call = this.#calls.peek();
      const w = call ?? this.#polls.peek();
      if (!w) {
        // Nobody waiting here: the poll schedule may use the room (not re-entered from itself).
        if (this.#onRoom && !this.#inRoom) {
          this.#inRoom = true;
          try {
            this.#onRoom();
          } finally {
            this.#inRoom = false;
          }
        }
        return;
      }
      const at = this.#budgetAt(now);
      if (at > now) {
        this.#wake.at(at);
        return;
      }
      const cls: CallClass = call ? 'call' : 'poll';
      if (call) {
        this.#calls.shift();
        this.#waitingCalls--;
      } else {
        this.#polls.shift();
        this.#waitingPolls--;
      }
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      this.#start(cls, now);
      w.resolve(this.#releaser());
    }
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#inUse--;
      this.#pump();
    };
  }
}
