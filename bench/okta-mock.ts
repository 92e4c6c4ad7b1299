/**
 * The mock Okta's own cost, apart from any agent (issue 13: "mock Okta CPU per
 * sign-in ≤ 0.3 ms, and flat as users grow to 100,000").
 *
 * 1. dispatch — in process, no sockets: the agent's four calls (getUser by
 *    login, getApplicationUser, listFactors, verify TOTP) through msw's
 *    `getResponse` over the handler list, through the route index
 *    (simulators/okta/route-index.ts) over the same list, and as the served
 *    path answers (the index picks, the handler's pipeline runs on a plain
 *    request: no Request or Response), alternated. CPU µs per call (building
 *    the request and reading the answer included in each).
 * 2. served — the mock over real HTTP in a process of its own (okta-child.ts),
 *    with 1,000 and then 100,000 users in the org, driven from this process
 *    (undici Pool, 32 in flight): cold sign-ins (the four calls, users spread
 *    over the whole org) and then verify-only sign-ins (what the `mfa` bench's
 *    agent sends in steady state, one call). CPU ms of the mock's process per
 *    sign-in from /proc. "Flat" is the 100,000-user figure over the 1,000-user one.
 */
import { getResponse } from 'msw';
import { Pool } from 'undici';
import { VirtualClock } from '../simulators/clock/virtual-clock.ts';
import { directRouteOf, oktaHandlers, type RouteRequest } from '../simulators/okta/handlers.ts';
import { OktaOrg } from '../simulators/okta/org.ts';
import { RouteIndex } from '../simulators/okta/route-index.ts';
import { newTotpSecret, totpAt } from '../simulators/okta/totp.ts';
import type { BenchOptions, Recorder } from './lib.ts';
import { round } from './lib.ts';
import { fastTime, type OktaChildInfo } from './okta-child.ts';
import { groupCpuMs, groupRssKiB, loadAverage, startOktaChild } from './procs.ts';

export async function runOktaMockBench(rec: Recorder, options: BenchOptions): Promise<void> {
  const before = loadAverage();
  await dispatchBench(rec, options);
  const sizes = options.quick ? [300, 3_000] : [1_000, 100_000];
  const served = await servedBench(sizes, options);
  const after = loadAverage();
  const [small, large] = served as [ServedResult, ServedResult];
  for (const s of served) {
    const k = label(s.users);
    rec.set(`served.${k}.ms/sign-in`, s.verifyMs, 'ms');
    rec.set(`served.${k}.ms/cold-sign-in`, s.coldMs, 'ms');
    rec.set(`served.${k}.ms/call`, s.coldMs / 4, 'ms');
    rec.set(`served.${k}.setup`, s.setupS, 's');
    rec.set(`served.${k}.rss`, s.rssMiB, 'MiB');
  }
  rec.set('served.flat.sign-in', round(large.verifyMs / small.verifyMs, 2), `× (${label(large.users)} ÷ ${label(small.users)})`);
  rec.set('served.flat.cold-sign-in', round(large.coldMs / small.coldMs, 2), `× (${label(large.users)} ÷ ${label(small.users)})`);
  const failed = served.reduce((n, s) => n + s.failed, 0);
  rec.set('served.failed', failed, 'calls');
  rec.set('loadavg.before', before.one, '1-min');
  rec.set('loadavg.after', after.one, '1-min');
  rec.goal(`served.${label(small.users)}.ms/sign-in`, '<=', 0.3);
  rec.goal(`served.${label(large.users)}.ms/sign-in`, '<=', 0.3);
  rec.goal('served.flat.sign-in', '<=', 1.25);
  rec.goal('served.flat.cold-sign-in', '<=', 1.25);
  rec.goal('served.failed', '<=', 0);
  for (const s of served) {
    if (s.firstFailure) rec.note(`served ${s.users.toLocaleString('en-US')} users: ${s.failed} calls failed, the first: ${s.firstFailure}`);
    rec.note(
      `served ${s.users.toLocaleString('en-US')} users: ${s.coldSignIns} cold sign-ins (4 calls, ${s.coldPerSec}/s), ${s.verifies} verify-only sign-ins (${s.verifyPerSec}/s), 32 in flight, in rounds alternated with the other org; org set up in ${s.setupS} s`,
    );
  }
  rec.note(`sign-in = one verify call, as the mfa bench's agent sends in steady state; cold = getUser, getApplicationUser, listFactors, verify; loadavg ${before.line} → ${after.line}`);
}

function label(users: number): string {
  return users >= 1000 ? `${users / 1000}k` : String(users);
}

// ── 1. dispatch, in process ────────────────────────────────────────────────

async function dispatchBench(rec: Recorder, options: BenchOptions): Promise<void> {
  const users = options.quick ? 200 : 1_000;
  const clock = new VirtualClock();
  const org = new OktaOrg({ clock, seed: 13 });
  org.factorLockoutThreshold = 0;
  org.setRateLimit({ limit: 1_000_000_000, windowMs: 60_000 });
  const token = org.createApiToken('bench');
  const app = org.createApp({ label: 'Amazon WorkSpaces RADIUS' });
  const secret = newTotpSecret();
  const people: { login: string; id: string; factorId: string }[] = [];
  for (let i = 0; i < users; i++) {
    const login = `user${i}@corp.example.com`;
    const u = org.createUser({ profile: { login }, password: 'pw' });
    org.assignUserToApp(app.id, u.id);
    const f = org.enrollFactor(u.id, { factorType: 'token:software:totp', provider: 'OKTA', sharedSecret: secret, activate: true }).factor;
    people.push({ login, id: u.id, factorId: f.id });
  }
  const handlers = oktaHandlers(org);
  const index = new RouteIndex(handlers);
  const headers = { authorization: `SSWS ${token}`, accept: 'application/json', 'content-type': 'application/json' };
  const base = org.orgUrl;
  let failed = 0;
  const never = new AbortController().signal;
  /** The served path's way (serve.ts): the index picks the handler, its pipeline answers a plain request; JSON text out. */
  const direct = async (method: string, url: URL, body?: string): Promise<{ status: number; text: string } | undefined> => {
    const picked = index.pick(method, url);
    const route = picked ? directRouteOf(picked.handler) : undefined;
    if (!picked || !route) return undefined;
    const request: RouteRequest = { url, header: (name) => headers[name as keyof typeof headers] ?? null, text: async () => body ?? '', signal: never };
    const reply = await route(request, picked.params);
    return reply.kind === 'json' ? { status: reply.status, text: reply.status === 204 ? '' : JSON.stringify(reply.body) } : undefined;
  };
  // One round: every user signs in cold (four calls), then the TOTP step moves on.
  const roundOf = async (mode: Mode): Promise<number> => {
    const code = totpAt(secret, clock.now());
    let calls = 0;
    for (const p of people) {
      const requests: [string, string, string?][] = [
        ['GET', `${base}/api/v1/users/${encodeURIComponent(p.login)}`],
        ['GET', `${base}/api/v1/apps/${app.id}/users/${p.id}`],
        ['GET', `${base}/api/v1/users/${p.id}/factors`],
        ['POST', `${base}/api/v1/users/${p.id}/factors/${p.factorId}/verify`, JSON.stringify({ passCode: code })],
      ];
      for (const [method, href, body] of requests) {
        let status: number | undefined;
        if (mode === 'direct') {
          status = (await direct(method, new URL(href), body))?.status;
        } else {
          const r = new Request(href, { method, headers, ...(body === undefined ? {} : { body }) });
          const res = await (mode === 'msw' ? getResponse(handlers, r) : index.respond(r));
          await res?.text();
          status = res?.status;
        }
        if (status === undefined || status >= 300) failed++;
        calls++;
      }
    }
    await clock.advance(30_000);
    return calls;
  };
  const modes = ['msw', 'index', 'direct'] as const;
  type Mode = (typeof modes)[number];
  const cpu = { msw: 0, index: 0, direct: 0 };
  const calls = { msw: 0, index: 0, direct: 0 };
  const rounds = options.quick ? 2 : 6;
  for (const mode of modes) await roundOf(mode);
  const started = performance.now();
  for (let i = 0; i < rounds && performance.now() - started < 60_000; i++) {
    // Each mode first, second and last in turn.
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(i + k) % modes.length]!;
      const c0 = process.cpuUsage();
      calls[mode] += await roundOf(mode);
      const c = process.cpuUsage(c0);
      cpu[mode] += c.user + c.system;
    }
  }
  const msw = cpu.msw / calls.msw;
  const idx = cpu.index / calls.index;
  const dir = cpu.direct / calls.direct;
  rec.set('dispatch.msw', round(msw, 1), 'µs CPU/call');
  rec.set('dispatch.index', round(idx, 1), 'µs CPU/call');
  rec.set('dispatch.direct', round(dir, 1), 'µs CPU/call');
  rec.set('dispatch.speedup', round(msw / idx, 2), '×');
  rec.set('dispatch.direct-speedup', round(msw / dir, 2), '×');
  rec.set('dispatch.failed', failed, 'calls');
  rec.goal('dispatch.failed', '<=', 0);
  rec.note(
    `dispatch: ${users} users, ${calls.index} calls each way (getUser, getApplicationUser, listFactors, verify), in process; CPU of this process. ` +
      'msw: getResponse on a Request; index: the route index runs the handler (a Request in, a Response out); direct: the served path, the handler\'s pipeline on a plain request (no Request or Response)',
  );
}

// ── 2. served over HTTP, the mock in its own process ──────────────────────

interface ServedResult {
  users: number;
  firstFailure: string | undefined;
  coldMs: number;
  verifyMs: number;
  coldSignIns: number;
  verifies: number;
  coldPerSec: number;
  verifyPerSec: number;
  failed: number;
  setupS: number;
  rssMiB: number;
}

/**
 * Both orgs served at once (each its own process), measured in rounds
 * alternated small/large, large/small, … so that the machine's load, which
 * moves by the minute on a shared host, weighs on both alike.
 */
async function servedBench(sizes: readonly number[], options: BenchOptions): Promise<ServedResult[]> {
  const rounds = options.quick ? 1 : 3;
  const started: { users: number; okta: Awaited<ReturnType<typeof startOktaChild>>; pool: Pool; driver: Driver }[] = [];
  try {
    for (const users of sizes) {
      const totpSecret = newTotpSecret();
      // 30× fast: a TOTP step passes every second, so a user may sign in again that soon; the
      // ±1-step window still covers a request queued for a second on a loaded machine.
      const okta = await startOktaChild({ users, totpSecret, speedup: 30 });
      const pool = new Pool(okta.info.url, { connections: 8 });
      started.push({ users, okta, pool, driver: new Driver(pool, okta.info, totpSecret, users) });
    }
    for (const s of started) {
      // Warm-up: JIT, connections, and users met for the verify-only sign-ins (not measured).
      await s.driver.run('cold', options.quick ? 100 : 1_000, 8_000);
      await s.driver.run('verify', options.quick ? 100 : 1_000, 5_000);
      s.driver.failed = 0;
      s.driver.firstFailure = undefined;
    }
    const sums = started.map(() => ({ coldCpu: 0, cold: 0, coldMs: 0, verifyCpu: 0, verify: 0, verifyMs: 0 }));
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? started.map((_, i) => i) : started.map((_, i) => started.length - 1 - i);
      for (const i of order) {
        const s = started[i]!;
        const sum = sums[i]!;
        let c0 = groupCpuMs(s.okta.pgid);
        const cold = await s.driver.run('cold', options.quick ? 300 : 1_000, options.quick ? 3_000 : 4_000);
        sum.coldCpu += groupCpuMs(s.okta.pgid) - c0;
        sum.cold += cold.done;
        sum.coldMs += cold.ms;
        c0 = groupCpuMs(s.okta.pgid);
        const verify = await s.driver.run('verify', options.quick ? 500 : 4_000, options.quick ? 3_000 : 4_000);
        sum.verifyCpu += groupCpuMs(s.okta.pgid) - c0;
        sum.verify += verify.done;
        sum.verifyMs += verify.ms;
      }
    }
    return started.map((s, i) => {
      const sum = sums[i]!;
      return {
        users: s.users,
        coldMs: round(sum.coldCpu / sum.cold, 3),
        verifyMs: round(sum.verifyCpu / sum.verify, 3),
        coldSignIns: sum.cold,
        verifies: sum.verify,
        coldPerSec: Math.round(sum.cold / (sum.coldMs / 1000)),
        verifyPerSec: Math.round(sum.verify / (sum.verifyMs / 1000)),
        failed: s.driver.failed,
        firstFailure: s.driver.firstFailure,
        setupS: round(s.okta.info.setupMs / 1000, 1),
        rssMiB: round(groupRssKiB(s.okta.pgid) / 1024, 1),
      };
    });
  } finally {
    for (const s of started) {
      await s.pool.close();
      await s.okta.stop();
    }
  }
}

interface Known {
  id: string;
  factorId: string;
}

/** Sign-ins against the served mock, 32 in flight, bounded by count and time. */
export class Driver {
  failed = 0;
  firstFailure: string | undefined;
  readonly #pool: Pool;
  readonly #info: OktaChildInfo;
  readonly #secret: string;
  readonly #users: number;
  readonly #headers: Record<string, string>;
  /** Users met by a cold sign-in (their ids), for the verify-only sign-ins. */
  readonly #known: Known[] = [];
  readonly #lastStep = new Map<string, number>();
  #next = 0;

  constructor(pool: Pool, info: OktaChildInfo, secret: string, users: number) {
    this.#pool = pool;
    this.#info = info;
    this.#secret = secret;
    this.#users = users;
    this.#headers = { authorization: `SSWS ${info.token}`, accept: 'application/json', 'content-type': 'application/json' };
  }

  async run(kind: 'cold' | 'verify', maxSignIns: number, maxMs: number): Promise<{ done: number; ms: number }> {
    const start = performance.now();
    let done = 0;
    let started = 0;
    const worker = async () => {
      while (started < maxSignIns && performance.now() - start < maxMs) {
        started++;
        if (kind === 'cold') await this.#cold();
        else await this.#verifyOnly();
        done++;
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    return { done, ms: performance.now() - start };
  }

  async #call(method: 'GET' | 'POST', path: string, body?: string): Promise<Record<string, unknown> | unknown[] | undefined> {
    const res = await this.#pool.request({ method, path, headers: this.#headers, ...(body ? { body } : {}) });
    const text = await res.body.text();
    if (res.statusCode >= 300) {
      this.failed++;
      this.firstFailure ??= `${method} ${path.replace(/\/[^/]{20}(?=\/|$)/g, '/…')} → ${res.statusCode} ${text.slice(0, 120)}`;
      return undefined;
    }
    return JSON.parse(text) as Record<string, unknown> | unknown[];
  }

  /** A user spread over the whole org (a stride through it), so lookups touch all of it. */
  #nextUser(): number {
    const i = this.#next++;
    return (i * 7919) % this.#users;
  }

  async #cold(): Promise<void> {
    const login = `${this.#info.prefix}${this.#nextUser()}@corp.example.com`;
    const user = (await this.#call('GET', `/api/v1/users/${encodeURIComponent(login)}`)) as { id?: string } | undefined;
    if (!user?.id) return;
    await this.#call('GET', `/api/v1/apps/${this.#info.appId}/users/${user.id}`);
    const factors = (await this.#call('GET', `/api/v1/users/${user.id}/factors`)) as { id: string }[] | undefined;
    const factorId = factors?.[0]?.id;
    if (!factorId) return;
    const ok = await this.#verify({ id: user.id, factorId });
    if (ok && this.#known.length < 20_000 && !this.#lastStep.has(`${user.id}#known`)) {
      this.#lastStep.set(`${user.id}#known`, 1);
      this.#known.push({ id: user.id, factorId });
    }
  }

  async #verifyOnly(): Promise<void> {
    const k = this.#known[this.#next++ % Math.max(1, this.#known.length)];
    if (!k) throw new Error('no user signed in cold before the verify-only sign-ins');
    await this.#verify(k);
  }

  /** One verify with the current code; waits for the next TOTP step when this user used this one (Okta accepts a step once). */
  async #verify(k: Known): Promise<boolean> {
    for (;;) {
      const now = fastTime(this.#info, Date.now());
      const step = Math.floor(now / 30_000);
      if (this.#lastStep.get(k.factorId) !== step) {
        this.#lastStep.set(k.factorId, step);
        const r = (await this.#call('POST', `/api/v1/users/${k.id}/factors/${k.factorId}/verify`, JSON.stringify({ passCode: totpAt(this.#secret, now) }))) as
          | { factorResult?: string }
          | undefined;
        return r?.factorResult === 'SUCCESS';
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
