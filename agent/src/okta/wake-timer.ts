import type { Clock, TimerHandle } from '../clock.ts';

/**
 * One timer for a schedule that only ever needs to wake at its earliest moment
 * (the poll schedule, the call budget): `at(t)` moves the wake-up earlier, never
 * later, so many waiters share one timer instead of one each.
 */
export class WakeTimer {
  readonly #clock: Clock;
  readonly #wake: () => void;
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(clock: Clock, wake: () => void) {
    this.#clock = clock;
    this.#wake = wake;
  }

  /** Wakes at `at` (the clock's ms) unless already due to wake at or before it. */
  at(at: number): void {
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#wake();
      },
      Math.max(0, Math.ceil(at - this.#clock.now())),
    );
  }

  /** Cancels the pending wake-up, if any. */
  cancel(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}
