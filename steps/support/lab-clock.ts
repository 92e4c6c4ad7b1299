import type { TimerHandle } from '../../agent/src/clock.ts';
import { VirtualClock } from '../../simulators/clock/virtual-clock.ts';

/**
 * The lab's VirtualClock, plus what the scenario driver needs to know about it:
 * when the next timer falls due. (VirtualClock keeps its timers private; this
 * subclass mirrors their due times.) Everything in a scenario's lab shares one.
 */
export class LabClock extends VirtualClock {
  readonly #due = new Map<number, number>();

  override setTimeout(fn: () => void, ms: number): TimerHandle {
    const due = this.now() + Math.max(0, ms);
    const handle = super.setTimeout(() => {
      this.#due.delete(handle.id);
      fn();
    }, ms);
    this.#due.set(handle.id, due);
    return handle;
  }

  override clearTimeout(handle: TimerHandle): void {
    this.#due.delete(handle.id);
    super.clearTimeout(handle);
  }

  /** Epoch ms of the earliest pending timer, or undefined when none is pending. */
  nextDue(): number | undefined {
    let best: number | undefined;
    for (const due of this.#due.values()) if (best === undefined || due < best) best = due;
    return best;
  }
}
