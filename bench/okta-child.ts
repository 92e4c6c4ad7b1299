/**
 * The mock Okta org served over real HTTP in a process of its own, so its CPU
 * per sign-in can be read apart from the agent's:
 * `node bench/okta-child.ts '<json OktaChildSpec>'` prints one JSON line
 * (OktaChildInfo) once listening, and serves until stdin closes (so it never
 * outlives the bench). Loopback only.
 *
 * Its clock runs `speedup` times faster than the wall clock from `startMs`, so a
 * TOTP step (30 s) passes every 30/speedup s of real time and each user can sign
 * in again that soon (Okta accepts each step once per factor). The load
 * generator computes codes on the same formula.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Clock, TimerHandle } from '../agent/src/clock.ts';
import type { FactorDelivery } from '../simulators/okta/delivery.ts';
import { OktaOrg } from '../simulators/okta/org.ts';
import { startOktaServer } from '../simulators/okta/serve.ts';

export interface OktaChildSpec {
  users: number;
  /** Shared by all users (one code per step for the load generator to compute). */
  totpSecret: string;
  speedup: number;
  /** Enrol Okta Verify push (its TOTP on the same secret) instead of TOTP alone; the phones approve after this many ms of the mock's clock. */
  pushAnswerMs?: number;
}

export interface OktaChildInfo {
  url: string;
  token: string;
  appId: string;
  startMs: number;
  speedup: number;
  /** Login of user i is `${prefix}${i}@corp.example.com`. */
  prefix: string;
  setupMs: number;
}

/** Wall time sped up `speedup` times from `startMs` (timers scaled to match). */
export class FastClock implements Clock {
  readonly #start: number;
  readonly #speedup: number;
  #next = 1;
  readonly #timers = new Map<number, NodeJS.Timeout>();
  constructor(startMs: number, speedup: number) {
    this.#start = startMs;
    this.#speedup = speedup;
  }
  now(): number {
    return this.#start + (Date.now() - this.#start) * this.#speedup;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    const t = setTimeout(
      () => {
        this.#timers.delete(id);
        fn();
      },
      Math.max(0, ms / this.#speedup),
    );
    t.unref();
    this.#timers.set(id, t);
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(this.#timers.get(handle.id));
    this.#timers.delete(handle.id);
  }
}

/**
 * Diagnostic aid: RMH_OKTA_CHILD_SUMMARY=file.json (`{users}` in it becomes the org's size) writes
 * the org's event counts by type and outcome (no secrets: the event log has none) and the garbage
 * collections after set-up, at exit.
 */
async function writeSummary(org: OktaOrg, gcs: GcEntry[] | undefined, users: number): Promise<void> {
  const file = process.env.RMH_OKTA_CHILD_SUMMARY?.replace('{users}', String(users));
  if (!file) return;
  const counts: Record<string, number> = {};
  for (const e of org.events.all()) {
    const key = `${e.eventType} ${e.outcome.result}${e.outcome.reason ? ` ${e.outcome.reason}` : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, `${JSON.stringify({ events: counts, gcAfterSetUp: gcs?.map((g) => `${g.kind} ${g.ms} ms at ${g.at} ms`) }, null, 1)}\n`);
}

/** A full garbage collection (the child runs without --expose-gc: the flag is set now and `gc` taken from a fresh context). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

interface GcEntry {
  at: number;
  kind: string;
  ms: number;
}

/** Garbage collections from now on, major ones and scavenges over 5 ms (for the summary). */
function watchGc(): GcEntry[] {
  const out: GcEntry[] = [];
  const kinds: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = kinds[((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1)] ?? 'other';
      if (kind === 'minor' && e.duration < 5) continue;
      out.push({ at: Math.round(e.startTime), kind, ms: Math.round(e.duration) });
    }
  }).observe({ entryTypes: ['gc'] });
  return out;
}

/** Starts the V8 CPU profiler in this process; the function returned writes the profile to `file`. */
async function startCpuProfile(file: string): Promise<() => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/** The fast clock's time at wall time `wallMs` (what the load generator uses for codes). */
export function fastTime(info: Pick<OktaChildInfo, 'startMs' | 'speedup'>, wallMs: number): number {
  return info.startMs + (wallMs - info.startMs) * info.speedup;
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as OktaChildSpec;
  const t0 = performance.now();
  const startMs = Date.now();
  const clock = new FastClock(startMs, spec.speedup);
  let approve: ((transactionId: string) => void) | undefined;
  const delivery: FactorDelivery = {
    push: (n) => {
      clock.setTimeout(() => approve?.(n.transactionId), spec.pushAnswerMs ?? 0);
    },
    oneTimeCode: () => {},
  };
  const org = new OktaOrg({ clock, seed: 13, delivery });
  approve = (id) => {
    try {
      org.answerPush(id, 'APPROVE');
    } catch {
      // expired or answered already
    }
  };
  org.factorLockoutThreshold = 0;
  org.setRateLimit({ limit: 1_000_000_000, windowMs: 60_000 });
  const token = org.createApiToken('bench');
  const app = org.createApp({ label: 'Amazon WorkSpaces RADIUS' });
  const prefix = 'user';
  for (let i = 0; i < spec.users; i++) {
    const u = org.createUser({ profile: { login: `${prefix}${i}@corp.example.com`, email: `${prefix}${i}@corp.example.com` }, password: 'pw' });
    org.assignUserToApp(app.id, u.id);
    org.enrollFactor(u.id, {
      factorType: spec.pushAnswerMs === undefined ? 'token:software:totp' : 'push',
      provider: 'OKTA',
      sharedSecret: spec.totpSecret,
      activate: true,
    });
  }
  // Set-up leaves a debt of collection behind (its last objects to promote, an old-space limit set
  // when the heap was a fraction of its final size) that a long-running org would have paid long
  // ago; settled here, at once, so the benches' windows measure serving, not the set-up's GC.
  collectGarbage();
  const server = await startOktaServer(org, { host: '127.0.0.1' });
  // Profiling aid: RMH_OKTA_CHILD_CPU_PROFILE=file.cpuprofile profiles the serving only (after set-up), written at exit.
  const gcs = process.env.RMH_OKTA_CHILD_SUMMARY ? watchGc() : undefined;
  const profileFile = process.env.RMH_OKTA_CHILD_CPU_PROFILE;
  const stopProfile = profileFile ? await startCpuProfile(profileFile) : async () => {};
  const info: OktaChildInfo = { url: server.url, token, appId: app.id, startMs, speedup: spec.speedup, prefix, setupMs: Math.round(performance.now() - t0) };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void server
      .close()
      .then(stopProfile)
      .then(() => writeSummary(org, gcs, spec.users))
      .then(() => process.exit(0));
  });
}
