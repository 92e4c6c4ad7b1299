/**
 * An in-process RADIUS load generator on loopback: several UDP source sockets
 * (so the server's duplicate detection sees many source ports, as with real
 * NAS fleets), a bounded number of requests in flight, and a hard bound on
 * both the number of requests and the wall time. A request unanswered within
 * `timeoutMs` is counted lost and its slot reused.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { Endpoint } from '../agent/src/packet-events.ts';

export interface LoadRun {
  /** Stop issuing after this many requests. */
  maxRequests: number;
  /** Stop issuing after this much wall time. */
  maxDurationMs: number;
  /** Bound on requests in flight over all sockets. */
  inFlight: number;
  /** An unanswered request is lost after this long. */
  timeoutMs: number;
  /**
   * The datagram for request `seq` with this identifier; undefined = no more
   * requests; null = none right now (paced: asked again as answers arrive and
   * a few times a second).
   */
  build: (identifier: number, seq: number) => Uint8Array | undefined | null;
}

export interface LoadResult {
  sent: number;
  answered: number;
  lost: number;
  /** Answers that matched no outstanding request (e.g. after their timeout). */
  unmatched: number;
  sendErrors: number;
  elapsedMs: number;
  /** Latencies of answered requests, ms, ascending. */
  latenciesMs: Float64Array;
  /** Answers by RADIUS code. */
  codes: Record<number, number>;
  stoppedBy: 'count' | 'time' | 'source';
}

interface Slot {
  seq: number;
  sentAt: number;
}

interface Source {
  socket: Socket;
  slots: Map<number, Slot>;
  nextId: number;
}

export class LoadGenerator {
  readonly #sources: Source[] = [];
  readonly #target: Endpoint;
  #onMessage: ((source: Source, msg: Buffer) => void) | undefined;

  private constructor(target: Endpoint) {
    this.#target = target;
  }

  /** Open `sockets` source sockets on the loopback address of the target's family. */
  static async open(target: Endpoint, sockets: number): Promise<LoadGenerator> {
    if (!['127.0.0.1', '::1'].includes(target.address)) {
      throw new Error(`the load generator only drives loopback (127.0.0.1 / ::1), not ${target.address}`);
    }
    const g = new LoadGenerator(target);
    const v6 = target.address.includes(':');
    for (let i = 0; i < sockets; i++) {
      // A large receive buffer: an unpaced burst's answers must not be dropped here either.
      const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
      const source: Source = { socket, slots: new Map(), nextId: 0 };
      socket.on('message', (msg) => g.#onMessage?.(source, msg));
      socket.on('error', () => {});
      await new Promise<void>((resolve) => socket.bind(0, v6 ? '::1' : '127.0.0.1', () => resolve()));
      g.#sources.push(source);
    }
    return g;
  }

  get sourcePorts(): number[] {
    return this.#sources.map((s) => s.socket.address().port);
  }

  run(run: LoadRun): Promise<LoadResult> {
    const sources = this.#sources;
    const perSource = Math.max(1, Math.ceil(run.inFlight / sources.length));
    const latencies = new Float64Array(run.maxRequests);
    const codes: Record<number, number> = {};
    let sent = 0;
    let answered = 0;
    let lost = 0;
    let unmatched = 0;
    let sendErrors = 0;
    let outstanding = 0;
    let rr = 0;
    let stopped: LoadResult['stoppedBy'] | undefined;
    const start = performance.now();
    let lastAnswer = start;

    return new Promise<LoadResult>((resolve) => {
      const finishIfDone = (): void => {
        if (!stopped || outstanding > 0) return;
        clearInterval(sweeper);
        this.#onMessage = undefined;
        for (const s of sources) s.slots.clear();
        const lat = latencies.subarray(0, answered).sort();
        resolve({
          sent,
          answered,
          lost,
          unmatched,
          sendErrors,
          elapsedMs: Math.max(lastAnswer, start) - start,
          latenciesMs: lat,
          codes,
          stoppedBy: stopped,
        });
      };

      const pickSource = (): Source | undefined => {
        for (let k = 0; k < sources.length; k++) {
          const s = sources[(rr + k) % sources.length]!;
          if (s.slots.size < perSource && s.slots.size < 256) {
            rr = (rr + k + 1) % sources.length;
            return s;
          }
        }
        return undefined;
      };

      const pump = (): void => {
        while (!stopped && outstanding < run.inFlight) {
          if (sent >= run.maxRequests) {
            stopped = 'count';
            break;
          }
          if (performance.now() - start >= run.maxDurationMs) {
            stopped = 'time';
            break;
          }
          const source = pickSource();
          if (!source) break;
          let id = source.nextId;
          while (source.slots.has(id)) id = (id + 1) & 0xff;
          source.nextId = (id + 1) & 0xff;
          const bytes = run.build(id, sent);
          if (bytes === null) break;
          if (!bytes) {
            stopped = 'source';
            break;
          }
          const slot: Slot = { seq: sent, sentAt: performance.now() };
          source.slots.set(id, slot);
          sent++;
          outstanding++;
          source.socket.send(bytes, this.#target.port, this.#target.address, (err) => {
            if (err && source.slots.get(id) === slot) {
              source.slots.delete(id);
              sendErrors++;
              lost++;
              outstanding--;
              pump();
              finishIfDone();
            }
          });
        }
        finishIfDone();
      };

      this.#onMessage = (source, msg) => {
        if (msg.length < 20) {
          unmatched++;
          return;
        }
        const slot = source.slots.get(msg[1]!);
        if (!slot) {
          unmatched++;
          return;
        }
        source.slots.delete(msg[1]!);
        const now = performance.now();
        lastAnswer = now;
        latencies[answered++] = now - slot.sentAt;
        codes[msg[0]!] = (codes[msg[0]!] ?? 0) + 1;
        outstanding--;
        pump();
      };

      // Timeouts and the time bound, checked a few times a second (bounded by the run's own limits).
      const sweeper = setInterval(
        () => {
          const now = performance.now();
          for (const s of sources) {
            for (const [id, slot] of s.slots) {
              if (now - slot.sentAt >= run.timeoutMs) {
                s.slots.delete(id);
                lost++;
                outstanding--;
              }
            }
          }
          if (!stopped && now - start >= run.maxDurationMs) stopped = 'time';
          pump();
        },
        Math.max(10, Math.min(100, run.timeoutMs / 4)),
      );

      pump();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#sources.map((s) => new Promise<void>((resolve) => s.socket.close(() => resolve()))));
    this.#sources.length = 0;
  }
}

/** Several runs as one: counts summed, latencies merged, elapsed = the time spent in runs. */
export function mergeLoads(results: readonly LoadResult[]): LoadResult {
  const latencies = new Float64Array(results.reduce((n, r) => n + r.latenciesMs.length, 0));
  let off = 0;
  const codes: Record<number, number> = {};
  for (const r of results) {
    latencies.set(r.latenciesMs, off);
    off += r.latenciesMs.length;
    for (const [c, n] of Object.entries(r.codes)) codes[Number(c)] = (codes[Number(c)] ?? 0) + n;
  }
  latencies.sort();
  const sum = (f: (r: LoadResult) => number): number => results.reduce((n, r) => n + f(r), 0);
  return {
    sent: sum((r) => r.sent),
    answered: sum((r) => r.answered),
    lost: sum((r) => r.lost),
    unmatched: sum((r) => r.unmatched),
    sendErrors: sum((r) => r.sendErrors),
    elapsedMs: sum((r) => r.elapsedMs),
    latenciesMs: latencies,
    codes,
    stoppedBy: results.at(-1)?.stoppedBy ?? 'count',
  };
}
