/**
 * The lab's driver: resolves a promise (a sign-in, a status probe, a raw
 * RADIUS exchange, "let 30 s pass") by letting real I/O happen and moving the
 * lab's VirtualClock — never by sleeping on the wall clock for time the
 * virtual clock could skip. One driver for the Cucumber World
 * (steps/support/world.ts), the full-stack tests
 * (simulators/ad-connector/full-stack-fixture.ts) and the connector's own tests.
 *
 * What the driver may observe is a `DriveProbe`; everything but the clock is
 * optional, and each part answers one question:
 *
 *   datagramsInFlight  sent by one side, neither received nor dropped by the other
 *                      (a `DatagramLedger` counts them from both sides'
 *                      PacketEvents; or `connector.pendingRequests` when only the
 *                      client is observable). Waited for at most PACKET_GRACE_MS:
 *                      a datagram to an address nobody listens on never arrives.
 *   realIoInFlight     real work that always ends by itself: LDAP binds, Okta
 *                      calls, a phone answering on the next turn. Waited for at
 *                      most REAL_IO_GRACE_MS per settle.
 *   held               work the test itself will release (a push held on a phone
 *                      until the test answers it): time stands still while any is
 *                      held and the promise has not settled, bounded only by the
 *                      real-time bound.
 *   busy               requests being worked on (the agent's inFlight, the
 *                      connector's pendingRequests) whose next step may come from a
 *                      library's real setTimeout(0); undefined or absent = unknown.
 *   activity           grows with every observable event (packets, org events,
 *                      Okta calls); used to detect quiet.
 *   agentOnVirtualClock  false when the agent under test keeps real time
 *                      (process, container, external targets); default true.
 *
 * Algorithm (one loop iteration = one step):
 *
 *  1. Settle. While a datagram, real I/O or a held push is in flight (within
 *     its grace), wait in 1 ms real-time slices (loopback UDP needs a poll
 *     phase or two). Otherwise hop the event loop (setImmediate): the world is
 *     quiet when its signature (activity, virtual now, timers pending, next due
 *     time, whether the promise settled) stays the same over QUIET_HOPS hops —
 *     and, while something is busy (or busy is unknown) and the promise has not
 *     settled, also over one 1 ms real timer.
 *  2. If the promise has settled: return its value (or throw its error).
 *  3. Check the bounds (below).
 *  4. Move time.
 *     - Agent on the virtual clock: advance the clock to `clock.nextDue()` (a
 *       retransmission, a push poll, a device's delayed answer, a timeout) and
 *       go to 1. No timer pending means only real I/O can still make progress:
 *       wait 2 ms of real time, and fail after IDLE_REAL_MS of that.
 *     - Agent on real time: its timeouts run on the wall clock, so the lab's
 *       clock follows it: sleep min(next due − now, 25 ms) of real time, then
 *       advance the virtual clock by the real time that passed (a
 *       RealTimeClock has moved by itself: nothing to advance).
 *
 * Bounds: `maxSteps` iterations (default 2,000; one per real millisecond of
 * `maxRealMs` when the agent keeps real time), `maxVirtualMs` of lab time
 * (default 10 minutes) and `maxRealMs` of real time (default 20 s on the
 * virtual clock; maxVirtualMs + 5 s when the agent keeps real time). Crossing
 * one throws an Error that names the bound, what was being driven and what was
 * pending (timers, next due time, datagrams, real I/O, held work, busy requests).
 */
import { setImmediate as immediate, setTimeout as realSleep } from 'node:timers/promises';
import type { Endpoint, PacketEvent } from '../../agent/src/packet-events.ts';
import type { LabClock } from '../clock/lab-clock.ts';

/** What the driver may observe of the world; see the module comment for each part. */
export interface DriveProbe {
  /** The lab's clock: a VirtualClock, or a RealTimeClock (which moves by itself: the driver then only waits). */
  clock: LabClock;
  /** True when the agent under test runs on `clock` (default true). */
  agentOnVirtualClock?(): boolean;
  /** Datagrams one side sent that the other has neither received nor dropped yet. */
  datagramsInFlight?(): number;
  /** Real work under way that always ends by itself (LDAP binds, Okta calls). */
  realIoInFlight?(): number;
  /** Work the test will release itself (a held push); time does not move meanwhile. */
  held?(): number;
  /** Requests being worked on; undefined when not observable. */
  busy?(): number | undefined;
  /** Grows with every observable event; unchanged over several hops = quiet. */
  activity?(): number;
}

export interface DriveBounds {
  /** Loop iterations (default 2,000 on the virtual clock; one per ms of maxRealMs when the agent keeps real time). */
  maxSteps?: number;
  /** Lab time the promise may take (default 10 minutes). */
  maxVirtualMs?: number;
  /** Real time (default 20 s on the virtual clock; maxVirtualMs + 5 s when the agent keeps real time). */
  maxRealMs?: number;
  /** What is being driven, for error messages (default "the promise"). */
  what?: string;
}

/** Event-loop hops with nothing changing that make the world quiet. */
const QUIET_HOPS = 3;
/** Real time a datagram may take to cross loopback before it counts as lost (dead address, dropped). */
export const PACKET_GRACE_MS = 100;
/** Real time real I/O (LDAP, Okta over HTTP) may take per settle before the driver moves on. */
export const REAL_IO_GRACE_MS = 10_000;
/** Real time with no timer pending and nothing happening before the driver gives up (agent on the virtual clock). */
export const IDLE_REAL_MS = 2_000;
/** Hops of one settle, whatever happens (a bound on the inner loop). */
const MAX_HOPS = 10_000;
/** Longest real-time slice when the lab clock follows the wall clock. */
const REAL_TIME_SLICE_MS = 25;

/**
 * The bounds of one drive, defaults filled in. With the agent on real time every
 * step sleeps at least 1 ms of real time, so the step bound defaults to one step
 * per millisecond of the real-time bound: a slow real-time scenario (a 60-s push
 * time-out at 25-ms slices) then ends on the bound that names its cause — real
 * time — and not on 2,000 steps after ~50 s.
 */
export function driveBounds(virtual: boolean, bounds: DriveBounds = {}): Required<DriveBounds> {
  const maxVirtualMs = bounds.maxVirtualMs ?? 10 * 60_000;
  const maxRealMs = bounds.maxRealMs ?? (virtual ? 20_000 : maxVirtualMs + 5_000);
  const maxSteps = bounds.maxSteps ?? (virtual ? 2_000 : Math.max(2_000, Math.ceil(maxRealMs)));
  return { maxSteps, maxVirtualMs, maxRealMs, what: bounds.what ?? 'the promise' };
}

/**
 * Resolve `promise` by letting real I/O settle and moving the virtual clock
 * only when the world is waiting on time. Returns what the promise resolves
 * to, throws what it rejects with, or throws when a bound is crossed.
 */
export async function drive<T>(promise: Promise<T>, probe: DriveProbe, bounds: DriveBounds = {}): Promise<T> {
  const { clock } = probe;
  const virtual = probe.agentOnVirtualClock?.() ?? true;
  const { maxSteps, maxVirtualMs, maxRealMs, what } = driveBounds(virtual, bounds);

  const datagrams = (): number => probe.datagramsInFlight?.() ?? 0;
  const realIo = (): number => probe.realIoInFlight?.() ?? 0;
  const held = (): number => probe.held?.() ?? 0;
  const activity = (): number => probe.activity?.() ?? 0;

  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );

  const startReal = performance.now();
  const startVirtual = clock.now();
  const overReal = (): boolean => performance.now() - startReal > maxRealMs;
  const signature = (): string => `${activity()}|${clock.now()}|${clock.pendingTimers}|${clock.nextDue()}|${settled}`;

  const settle = async (): Promise<void> => {
    const since = performance.now();
    let last = signature();
    let quiet = 0;
    for (let hop = 0; hop < MAX_HOPS && !overReal(); hop++) {
      const waited = performance.now() - since;
      const waiting =
        (datagrams() > 0 && waited < PACKET_GRACE_MS) || (realIo() > 0 && waited < REAL_IO_GRACE_MS) || (held() > 0 && !settled);
      if (waiting) {
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
        const busy = probe.busy?.();
        if (settled || busy === 0) return;
        // One real millisecond more covers libraries that defer with a real setTimeout(0).
        await realSleep(1);
        if (signature() === last) return;
        last = signature();
        quiet = 0;
      }
    }
  };

  const pending = (): string => {
    const next = clock.nextDue();
    return [
      `${clock.pendingTimers} timer(s) pending, next due in ${next === undefined ? '—' : `${next - clock.now()} ms`}`,
      `${datagrams()} datagram(s) in flight`,
      `${realIo()} other I/O in flight`,
      `${held()} held by the test`,
      `busy: ${probe.busy?.() ?? 'unknown'}`,
    ].join(', ');
  };

  let idleSince: number | undefined;
  for (let step = 0; ; step++) {
    await settle();
    if (settled) return promise;
    if (step >= maxSteps) throw new Error(`drive: ${what} did not finish within ${maxSteps} driver steps (${pending()}).`);
    if (overReal()) throw new Error(`drive: ${what} did not finish within ${maxRealMs} ms of real time (${pending()}).`);
    if (clock.now() - startVirtual > maxVirtualMs) {
      throw new Error(`drive: ${what} did not finish within ${maxVirtualMs / 1000} s of lab time (${pending()}).`);
    }
    const next = clock.nextDue();
    if (virtual) {
      if (next === undefined) {
        // Nothing scheduled: only real I/O can still make progress.
        idleSince ??= performance.now();
        if (performance.now() - idleSince > IDLE_REAL_MS) {
          throw new Error(`drive: ${what} is stuck: no timer is pending and nothing happened for ${IDLE_REAL_MS} ms (${pending()}).`);
        }
        await realSleep(2);
        continue;
      }
      idleSince = undefined;
      await clock.advanceTo(Math.min(next, startVirtual + maxVirtualMs + 1));
    } else {
      const wait = next === undefined ? REAL_TIME_SLICE_MS : Math.max(1, Math.min(REAL_TIME_SLICE_MS, next - clock.now()));
      const before = performance.now();
      await realSleep(wait);
      // A real-time lab clock has moved by itself (and fired its timers); a virtual one follows the wall clock here.
      if (clock.kind !== 'real-time') await clock.advance(Math.max(0, Math.round(performance.now() - before)));
    }
  }
}

/** Codes of replies (Access-Accept, -Reject, Accounting-Response, Access-Challenge): datagrams coming back to a client. */
const REPLY_CODES = new Set([2, 3, 5, 11]);
/** Server drops of work it had already received (not the arrival of a datagram). */
const AFTER_RECEIPT_DROPS = new Set(['handler-error', 'handler-no-reply', 'superseded', 'closed', 'send-failed']);

function keyOf(e: Endpoint | { host: string; port: number }): string {
  return `${'address' in e ? e.address : e.host}:${e.port}`;
}

/**
 * Datagrams in flight between RADIUS clients (the AD Connector, a raw client)
 * and the servers (agents) they talk to, counted from both sides'
 * PacketEvents — for `DriveProbe.datagramsInFlight`.
 *
 * A client's request to a registered server is in flight from its 'sent' until
 * the server records it 'received' or drops it on arrival; a client drop of a
 * request (a fault, a failed send) means it never left. A server's reply is in
 * flight from its 'sent' until a client receives or drops it. Datagrams to
 * addresses that are not registered (a dead first server) are not counted.
 * Counters never go below zero, so a duplicated datagram cannot hide a later one.
 */
export class DatagramLedger {
  readonly #toServer = new Map<string, number>();
  #replies = 0;

  /** Registers a server by the address clients send to; returns the listener for its own PacketEvents. */
  server(endpoint: Endpoint | { host: string; port: number }): (e: PacketEvent) => void {
    const key = keyOf(endpoint);
    this.#toServer.set(key, this.#toServer.get(key) ?? 0);
    return (e) => {
      if (e.direction === 'sent') this.#replies++;
      else if (e.direction === 'received' || !AFTER_RECEIPT_DROPS.has(e.reason ?? '')) this.#arrived(key);
      else if (e.reason === 'send-failed') this.#replies = Math.max(0, this.#replies - 1);
    };
  }

  /** Listener for a client's PacketEvents. */
  readonly client = (e: PacketEvent): void => {
    const key = keyOf(e.remote);
    if (e.direction === 'received' || (e.direction === 'dropped' && e.code !== undefined && REPLY_CODES.has(e.code))) {
      this.#replies = Math.max(0, this.#replies - 1);
      return;
    }
    const n = this.#toServer.get(key);
    if (n === undefined) return;
    if (e.direction === 'sent') this.#toServer.set(key, n + 1);
    else this.#arrived(key); // dropped before it left: a fault, a failed send
  };

  /** Datagrams sent by one side and not yet received or dropped by the other. */
  get inFlight(): number {
    let n = this.#replies;
    for (const v of this.#toServer.values()) n += v;
    return n;
  }

  #arrived(key: string): void {
    this.#toServer.set(key, Math.max(0, (this.#toServer.get(key) ?? 0) - 1));
  }
}
