/**
 * Per-scenario knobs on the org's HTTP surface: latency, 5xx failures, forced
 * network errors and rate limits. The org owns them so that every way of serving
 * (setupServer, real HTTP, oktaFetch) behaves the same for the same scenario.
 */
import type { RateLimitSetting } from './types.ts';

/** Okta's documented default for most /api/v1 endpoints is in the hundreds per minute. */
export const DEFAULT_RATE_LIMIT: RateLimitSetting = { limit: 600, windowMs: 60_000 };

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Epoch seconds at which the window resets (X-Rate-Limit-Reset). */
  resetEpochS: number;
  exceeded: boolean;
}

/** Fixed windows aligned to the clock, as Okta's per-minute buckets. */
export class RateLimiter {
  #setting: RateLimitSetting;
  #windowStart = -1;
  #count = 0;

  constructor(setting: RateLimitSetting = DEFAULT_RATE_LIMIT) {
    this.#setting = { ...setting };
  }

  get setting(): RateLimitSetting {
    return { ...this.#setting };
  }

  set(setting: RateLimitSetting): void {
    if (!(setting.limit >= 0) || !(setting.windowMs > 0)) {
      throw new RangeError(`rate limit needs limit >= 0 and windowMs > 0, got ${JSON.stringify(setting)}`);
    }
    this.#setting = { ...setting };
    this.#windowStart = -1;
    this.#count = 0;
  }

  /** Count one request at `now` and report the bucket afterwards. */
  take(now: number): RateLimitState {
    const start = Math.floor(now / this.#setting.windowMs) * this.#setting.windowMs;
    if (start !== this.#windowStart) {
      this.#windowStart = start;
      this.#count = 0;
    }
    const exceeded = this.#count >= this.#setting.limit;
    if (!exceeded) this.#count++;
    return {
      limit: this.#setting.limit,
      remaining: Math.max(0, this.#setting.limit - this.#count),
      resetEpochS: Math.ceil((start + this.#setting.windowMs) / 1000),
      exceeded,
    };
  }
}

export interface FaultPlan {
  /** Virtual-clock delay before every answer. */
  latencyMs: number;
  /** The next N calls answer with `failStatus`. */
  failNext: number;
  failStatus: number;
  /** The next N calls fail at the network level (fetch rejects / socket destroyed). */
  networkErrorsNext: number;
}

export class Faults {
  readonly plan: FaultPlan = { latencyMs: 0, failNext: 0, failStatus: 500, networkErrorsNext: 0 };

  /** Which fault (if any) applies to the call being handled now; consumes one. */
  takeFault(): { kind: 'network' } | { kind: 'status'; status: number } | undefined {
    if (this.plan.networkErrorsNext > 0) {
      this.plan.networkErrorsNext--;
      return { kind: 'network' };
    }
    if (this.plan.failNext > 0) {
      this.plan.failNext--;
      return { kind: 'status', status: this.plan.failStatus };
    }
    return undefined;
  }

  reset(): void {
    this.plan.latencyMs = 0;
    this.plan.failNext = 0;
    this.plan.failStatus = 500;
    this.plan.networkErrorsNext = 0;
  }
}
