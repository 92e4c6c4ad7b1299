/**
 * "At most R starts in any one second", exactly: the start times of the last
 * `n` calls in a ring, and a call may start when the oldest of them is a whole
 * window old. Unlike a token bucket holding a second's worth (which lets 2R
 * through in a second that follows an idle one), no sliding window of
 * `windowMs` ever holds more than `n` starts, so no minute holds more than
 * 60·R — what Okta's per-minute limits count
 * (developer.okta.com/docs/reference/rl-global-mgmt/).
 *
 * For R ≥ 1: ⌊R⌋ starts per second (a fraction above a whole number is not
 * used: "at most R in any second" allows no more). For R < 1: one start per
 * 1/R s. Pure: times are passed in.
 */
const MAX_RING = 4096;

export class RateWindow {
  readonly #n: number;
  readonly #windowMs: number;
  readonly #starts: Float64Array;
  #head = 0;
  #count = 0;

  constructor(perSecond: number) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`RateWindow needs a finite rate > 0, got ${perSecond}`);
    // A large rate is kept as ⌊R/k⌋ starts per 1/k s (k whole, so any second still holds at
    // most R): the ring stays at most MAX_RING long (a budget of 1,000,000/s is not 8 MB).
    const k = Math.max(1, Math.ceil(perSecond / MAX_RING));
    this.#n = Math.max(1, Math.floor(perSecond / k));
    this.#windowMs = perSecond >= 1 ? 1000 / k : 1000 / perSecond;
    this.#starts = new Float64Array(this.#n);
  }

  /** Starts allowed per window, and the window's length (ms). */
  get size(): { starts: number; windowMs: number } {
    return { starts: this.#n, windowMs: this.#windowMs };
  }

  /** The earliest time (≥ now) a start is allowed. */
  nextAt(now: number): number {
    if (this.#count < this.#n) return now;
    return Math.max(now, this.#starts[this.#head]! + this.#windowMs);
  }

  /** Records a start at `now`; the caller checked nextAt(now) <= now. */
  take(now: number): void {
    if (this.#count < this.#n) {
      this.#starts[(this.#head + this.#count) % this.#n] = now;
      this.#count++;
      return;
    }
    this.#starts[this.#head] = now;
    this.#head = (this.#head + 1) % this.#n;
  }
}
