/**
 * The scenario driver: resolves a promise (a sign-in, a raw RADIUS exchange)
 * by letting real I/O happen and moving the lab's virtual clock — never by
 * sleeping on the wall clock for time the virtual clock could skip.
 *
 * Algorithm (one loop iteration = one "step"):
 *
 *  1. Settle. Let queued continuations and I/O callbacks run (setImmediate
 *     hops). While a datagram is in flight — one side's PacketEvents show it
 *     sent and the other side's show it neither received nor dropped — wait in
 *     1 ms real-time slices (loopback UDP needs a poll phase or two), but at most
 *     `inFlightGraceMs` (a datagram to a port nobody listens on never arrives);
 *     likewise while other real I/O is under way (the connector's LDAP password
 *     check), at most `realIoGraceMs`.
 *     The world is settled when an "activity signature" (events seen, timers
 *     pending, next due time, whether the promise settled) stays the same over
 *     three hops — and, while the agent reports requests in flight, also over a
 *     1 ms real timer (covers libraries that defer with a real setTimeout(0)).
 *  2. If the promise has settled: done.
 *  3. Move time.
 *     - Agent on the virtual clock (embedded): advance the clock to the next due
 *       timer (a retransmission, a push poll, a device's delayed answer, a
 *       timeout) and go to 1. No timer pending and nothing in flight means
 *       nothing can ever happen: wait a few real ms in case of real I/O (the
 *       mock Okta over HTTP) and fail after `idleRealMs` of that.
 *     - Agent on real time (process, container, external): the agent's
 *       timeouts run on the wall clock, so the lab's clock follows it: sleep
 *       min(next due − now, 25 ms) of real time, then advance the virtual clock
 *       by the real time that passed.
 *  4. Bounds: `maxVirtualMs` of virtual time (default 10 minutes), `maxSteps`
 *     iterations (2,000) and `maxRealMs` of real time (20 s on the virtual
 *     clock; on real time the virtual bound is also the real one, plus 5 s).
 *     Crossing one throws an error that says which, and what was pending.
 */
import { setImmediate as immediate, setTimeout as realSleep } from 'node:timers/promises';
import type { VirtualClock } from '../../simulators/clock/virtual-clock.ts';

export interface DriveOptions {
  /** Virtual time the promise may take (default 10 minutes). */
  maxVirtualMs?: number;
  /** Loop iterations (default 2,000). */
  maxSteps?: number;
  /** Real time (default 20 s on the virtual clock; maxVirtualMs + 5 s on real time). */
  maxRealMs?: number;
  /** What is being driven, for error messages. */
  what?: string;
}

/** What the driver may observe of the world. */
export interface DriverProbe {
  clock: VirtualClock;
  /** True when the agent under test runs on `clock`. */
  agentOnVirtualClock(): boolean;
  /** Datagrams sent by one side that the other has not yet received or dropped (undefined when not observable). */
  packetsInFlight(): number;
  /** Other real I/O under way that always completes (LDAP password checks); waited for up to `realIoGraceMs`. */
  realIoInFlight(): number;
  /** Grows with every observable event (packets, org calls); used to detect quiet. */
  activity(): number;
  /** Requests the agent is working on, when observable. */
  agentInFlight(): number | undefined;
}

const QUIET_HOPS = 3;
const inFlightGraceMs = 50;
const idleRealMs = 2_000;
const realIoGraceMs = 10_000;

export async function drive<T>(probe: DriverProbe, promise: Promise<T>, opts: DriveOptions = {}): Promise<T> {
  const { clock } = probe;
  const virtual = probe.agentOnVirtualClock();
  const maxVirtualMs = opts.maxVirtualMs ?? 10 * 60_000;
  const maxSteps = opts.maxSteps ?? 2_000;
  const maxRealMs = opts.maxRealMs ?? (virtual ? 20_000 : maxVirtualMs + 5_000);
  const what = opts.what ?? 'the scenario step';

  let settled = false;
  let value: T | undefined;
  let error: unknown;
  let failed = false;
  promise.then(
    (v) => {
      settled = true;
      value = v;
    },
    (e: unknown) => {
      settled = true;
      failed = true;
      error = e;
    },
  );

  const startVirtual = clock.now();
  const startReal = performance.now();
  let idleSince: number | undefined;

  const signature = (): string => `${probe.activity()}|${clock.pendingTimers}|${clock.nextDue()}|${settled}`;

  const settle = async (): Promise<void> => {
    const inFlightSince = performance.now();
    let last = signature();
    let quiet = 0;
    for (let hop = 0; hop < 10_000; hop++) {
      const waited = performance.now() - inFlightSince;
      if (
        (probe.packetsInFlight() > 0 && waited < inFlightGraceMs) ||
        (probe.realIoInFlight() > 0 && waited < realIoGraceMs)
      ) {
        await realSleep(1);
        last = signature();
        quiet = 0;
        continue;
      }
      await immediate();
      const now = signature();
      if (now === last) quiet++;
      else {
        quiet = 0;
        last = now;
      }
      if (quiet >= QUIET_HOPS) {
        if ((probe.agentInFlight() ?? 0) === 0 || settled) return;
        await realSleep(1);
        if (signature() === last) return;
        last = signature();
        quiet = 0;
      }
    }
  };

  for (let step = 0; ; step++) {
    await settle();
    if (settled) break;
    const elapsedVirtual = clock.now() - startVirtual;
    const elapsedReal = performance.now() - startReal;
    const pending = `${clock.pendingTimers} timer(s) pending, next due in ${
      clock.nextDue() === undefined ? '—' : `${clock.nextDue()! - clock.now()} ms`
    }, agent requests in flight: ${probe.agentInFlight() ?? 'unknown'}`;
    if (step >= maxSteps) throw new Error(`${what} did not finish within ${maxSteps} driver steps (${pending}).`);
    if (elapsedReal > maxRealMs) throw new Error(`${what} did not finish within ${maxRealMs} ms of real time (${pending}).`);
    if (elapsedVirtual > maxVirtualMs) {
      throw new Error(`${what} did not finish within ${maxVirtualMs / 1000} s of lab time (${pending}).`);
    }
    const next = clock.nextDue();
    if (virtual) {
      if (next === undefined) {
        // Nothing scheduled: only real I/O can still make progress.
        idleSince ??= performance.now();
        if (performance.now() - idleSince > idleRealMs) {
          throw new Error(`${what} is stuck: no timer is pending and nothing happened for ${idleRealMs} ms (${pending}).`);
        }
        await realSleep(2);
        continue;
      }
      idleSince = undefined;
      const target = Math.min(next, startVirtual + maxVirtualMs + 1);
      await clock.advanceTo(target);
    } else {
      const wait = next === undefined ? 25 : Math.max(1, Math.min(25, next - clock.now()));
      const before = performance.now();
      await realSleep(wait);
      await clock.advance(Math.max(0, Math.round(performance.now() - before)));
    }
  }
  if (failed) throw error;
  return value as T;
}
