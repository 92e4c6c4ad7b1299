import type { Clock } from '../../agent/src/clock.ts';

/** Which clock a lab runs on: `virtual` stands still until advanced; `real-time` follows the wall clock. */
export type ClockKind = 'virtual' | 'real-time';
export const CLOCK_KINDS: readonly ClockKind[] = ['virtual', 'real-time'];

/**
 * What the lab needs of its clock, whichever kind: the agent's Clock plus
 * moving time forward (the control API's `POST /clock/advance`, the driver)
 * and looking at pending timers. VirtualClock and RealTimeClock implement it.
 */
export interface LabClock extends Clock {
  readonly kind: ClockKind;
  /** Number of timers waiting to fire. */
  readonly pendingTimers: number;
  /** Clock time (epoch ms) at which the earliest pending timer falls due; undefined when none. */
  nextDue(): number | undefined;
  /** Called when time is moved or a timer fires (for devices acting "after N seconds", traces, …). */
  onTick(listener: (now: number) => void): () => void;
  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): Promise<void>;
  /** Moves time forward to `epochMs` (never backwards). */
  advanceTo(epochMs: number): Promise<void>;
}
