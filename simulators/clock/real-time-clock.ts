import type { TimerHandle } from '../../agent/src/clock.ts';
import type { LabClock } from './lab-clock.ts';

interface Timer {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

export interface RealTimeClockOptions {
  /** Start this far from the wall clock (negative: behind it). Default 0. */
  offsetMs?: number;
  /** The wall clock (tests inject one); default Date.now. */
  wallNow?: () => number;
}

/**
 * A lab clock that follows the wall clock — so a real agent, oathtool at wall
 * time and a person's stopwatch agree with the lab — yet can still be moved
 * forward: `advance(ms)` adds to an offset and fires, in due order, every
 * timer that the jump made due. Timers are kept here (due times in this
 * clock's time) with one real timer armed for the earliest, so an advance
 * and the passing of real time fire them the same way. Real timers are
 * unref'd: a pending expiry never keeps a process alive on its own.
 */
export class RealTimeClock implements LabClock {
  readonly kind = 'real-time' as const;
  #offset: number;
  readonly #wall: () => number;
  #nextId = 1;
  #seq = 0;
  readonly #timers = new Map<number, Timer>();
  readonly #listeners = new Set<(now: number) => void>();
  #wake: NodeJS.Timeout | undefined;
  #firing = false;

  constructor(options: RealTimeClockOptions = {}) {
    this.#offset = options.offsetMs ?? 0;
    this.#wall = options.wallNow ?? Date.now;
  }

  now(): number {
    return this.#wall() + this.#offset;
  }

  /** How far this clock is ahead of the wall clock (ms; negative: behind). */
  get offsetMs(): number {
    return this.#offset;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, due: this.now() + Math.max(0, ms), seq: this.#seq++, fn });
    this.#arm();
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    if (this.#timers.delete(handle.id)) this.#arm();
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  nextDue(): number | undefined {
    return this.#earliest()?.due;
  }

  onTick(listener: (now: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`RealTimeClock.advance: ms must be a finite number >= 0, got ${ms}`);
    }
    await this.#fireDue(this.#offset + ms);
  }

  async advanceTo(epochMs: number): Promise<void> {
    await this.advance(Math.max(0, epochMs - this.now()));
  }

  /** Cancels every pending timer (the lab stopping). */
  dispose(): void {
    this.#timers.clear();
    this.#arm();
  }

  /**
   * Fires what is due by the wall clock plus `targetOffset`; while jumping
   * ahead, each timer fires at its own instant (the offset steps to its due
   * time first), so a timer set by a callback lands where it would have
   * without the jump.
   */
  async #fireDue(targetOffset = this.#offset): Promise<void> {
    if (this.#firing) {
      // Moved from inside a callback: the running loop picks the new offset up.
      this.#offset = Math.max(this.#offset, targetOffset);
      return;
    }
    this.#firing = true;
    try {
      await settle();
      for (;;) {
        const next = this.#earliest();
        if (!next || next.due > this.#wall() + targetOffset) break;
        this.#timers.delete(next.id);
        this.#offset = Math.max(this.#offset, next.due - this.#wall());
        next.fn();
        this.#emit();
        await settle();
      }
      this.#offset = Math.max(this.#offset, targetOffset);
      this.#emit();
    } finally {
      this.#firing = false;
      this.#arm();
    }
  }

  #arm(): void {
    if (this.#wake) clearTimeout(this.#wake);
    this.#wake = undefined;
    if (this.#firing) return;
    const next = this.#earliest();
    if (!next) return;
    // Node may wake a millisecond early; #fireDue then finds nothing due and re-arms.
    this.#wake = setTimeout(() => void this.#fireDue(), Math.max(0, next.due - this.now()));
    this.#wake.unref();
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }

  #emit(): void {
    const now = this.now();
    for (const l of this.#listeners) l(now);
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
