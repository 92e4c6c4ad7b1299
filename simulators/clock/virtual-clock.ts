import type { TimerHandle } from '../../agent/src/clock.ts';
import type { LabClock } from './lab-clock.ts';

interface Timer {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * The lab's controllable clock: time stands still until advanced; advancing
 * fires due timers in order of due time (then creation order), each at its own
 * instant, letting promise continuations run between them so that a timer set
 * by a fired callback within the advanced span also fires.
 */
export class VirtualClock implements LabClock {
  readonly kind = 'virtual' as const;
  #now: number;
  #nextId = 1;
  #seq = 0;
  readonly #timers = new Map<number, Timer>();
  readonly #listeners = new Set<(now: number) => void>();

  constructor(startMs = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, due: this.#now + Math.max(0, ms), seq: this.#seq++, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Epoch ms at which the earliest pending timer falls due; undefined when none is pending. */
  nextDue(): number | undefined {
    return this.#earliest()?.due;
  }

  /** Called after every change of time (for devices that act "after N seconds", traces, …). */
  onTick(listener: (now: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`VirtualClock.advance: ms must be a finite number >= 0, got ${ms}`);
    }
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#earliest();
      if (!next || next.due > target) break;
      this.#timers.delete(next.id);
      this.#now = Math.max(this.#now, next.due);
      this.#emit();
      next.fn();
      await settle();
    }
    this.#now = target;
    this.#emit();
    await settle();
  }

  /** Jump to an absolute time (never backwards). */
  async advanceTo(epochMs: number): Promise<void> {
    await this.advance(Math.max(0, epochMs - this.#now));
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }

  #emit(): void {
    for (const l of this.#listeners) l(this.#now);
  }
}

/**
 * Let queued promise continuations and I/O callbacks run. A macrotask hop
 * (setImmediate) drains the microtask queue fully, which a bare
 * `await Promise.resolve()` does not.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
