/**
 * End-to-end: the reference agent (createAgent) on loopback UDP, talking to
 * the mock Okta org in-process (oktaFetch), verifying TOTP passcodes — four
 * Okta API calls per request (user, app assignment, factors, verify).
 *
 * Okta lets each TOTP step be used once per factor, so the load runs in rounds:
 * one request per user, then the shared VirtualClock moves 30 s (next step;
 * the duplicate cache expires too). Latency and requests/s count only the time
 * spent in rounds.
 */
import { performance } from 'node:perf_hooks';
import { createAgent } from '../agent/src/agent.ts';
import { RadiusCode } from '../agent/src/radius/codes.ts';
import { encodeRequest } from '../agent/src/radius/codec.ts';
import { attr } from '../agent/src/radius/packet.ts';
import { VirtualClock } from '../simulators/clock/virtual-clock.ts';
import { OktaOrg } from '../simulators/okta/org.ts';
import { oktaFetch } from '../simulators/okta/serve.ts';
import { newTotpSecret, TOTP_PERIOD_S, totpAt } from '../simulators/okta/totp.ts';
import { SECRET } from './codec.ts';
import { type BenchOptions, type MemorySnapshot, memoryAfterGc, percentile, type Recorder, round } from './lib.ts';
import { LoadGenerator, type LoadResult, mergeLoads } from './load.ts';
import { recordLoad, recordMemory } from './transport.ts';

export async function runE2eBench(rec: Recorder, options: BenchOptions): Promise<void> {
  const users = options.quick ? 50 : 500;
  const maxRequests = options.quick ? 200 : 20_000;
  const maxDurationMs = options.quick ? 4_000 : 60_000;
  const inFlight = 64;
  const sockets = 8;

  const clock = new VirtualClock();
  const org = new OktaOrg({ clock, seed: 11 });
  // The bench measures the agent, not Okta's per-minute rate limit.
  org.setRateLimit({ limit: 1_000_000_000, windowMs: 60_000 });
  const token = org.createApiToken('bench');
  const app = org.createApp({ label: 'Amazon WorkSpaces RADIUS' });
  const totpSecret = newTotpSecret();
  const logins: string[] = [];
  for (let i = 0; i < users; i++) {
    const u = org.createUser({ profile: { login: `user${i}@corp.example.com`, email: `user${i}@corp.example.com` }, password: 'pw' });
    org.assignUserToApp(app.id, u.id);
    // One secret for all: the code is computed once per round; Okta still counts each step per factor.
    org.enrollFactor(u.id, { factorType: 'token:software:totp', provider: 'OKTA', sharedSecret: totpSecret, activate: true });
    logins.push(`user${i}`);
  }

  let oktaCalls = 0;
  const agent = createAgent({
    config: {
      okta: { orgUrl: org.orgUrl, apiToken: token, callsPerSecond: 1_000_000 }, // the agent's Okta call budget lifted, as the org's rate limit is (CPU per sign-in is measured, not pacing)
      apps: [
        {
          name: 'bench',
          appId: app.id,
          listen: { host: '127.0.0.1', port: 0 },
          usernameFormat: { suffix: '@corp.example.com' },
          clients: [{ name: 'bench', address: '127.0.0.1', secret: SECRET }],
        },
      ],
      logging: { level: 'silent' },
      // 64 in flight: more than Okta's agent's default 15 request threads.
      requestThreads: 1_000,
    },
    clock,
    fetch: oktaFetch(org, {
      observe: () => {
        oktaCalls++;
      },
    }),
  });
  const [app0] = await agent.start();
  if (!app0) throw new Error('the agent started no listener');
  const load = await LoadGenerator.open(app0.endpoint, sockets);

  const startedAt = performance.now();
  const results: LoadResult[] = [];
  let sentSoFar = 0;

  /** One round: at most one request per user (one TOTP step each), then the clock moves to the next step. */
  const oneRound = async (limit: number, window: number, budgetMs: number): Promise<LoadResult> => {
    const code = totpAt(totpSecret, clock.now());
    const r = await load.run({
      maxRequests: Math.min(limit, users),
      maxDurationMs: Math.max(1, budgetMs),
      inFlight: window,
      timeoutMs: 2_000,
      build: (identifier, seq) =>
        encodeRequest(
          {
            code: RadiusCode.AccessRequest,
            identifier,
            attributes: [attr.text('User-Name', logins[seq]!), attr.ip('NAS-IP-Address', '10.0.1.25')],
            userPassword: code,
            messageAuthenticator: 'first',
          },
          SECRET,
        ),
    });
    // Next TOTP step; fires the agent's duplicate-cache expiry (30 s) on the way.
    await clock.advance(TOTP_PERIOD_S * 1000);
    return r;
  };
  const timeLeft = (): number => maxDurationMs - (performance.now() - startedAt);

  try {
    // Warm-up rounds (JIT, msw handler paths, V8 heap sizing).
    for (let i = 0; i < (options.quick ? 1 : 3); i++) {
      const warm = await oneRound(users, inFlight, 10_000);
      if ((warm.codes[RadiusCode.AccessAccept] ?? 0) === 0) {
        throw new Error(`the agent accepted no passcode in the warm-up (answers by code: ${JSON.stringify(warm.codes)})`);
      }
    }
    const before = await memoryAfterGc();
    const callsBefore = oktaCalls;
    let middle: MemorySnapshot | undefined;
    while (sentSoFar < maxRequests && timeLeft() > 0) {
      const r = await oneRound(maxRequests - sentSoFar, inFlight, timeLeft());
      if (r.sent === 0) break;
      results.push(r);
      sentSoFar += r.sent;
      if (!middle && sentSoFar >= maxRequests / 2) middle = await memoryAfterGc();
    }
    const peakRss = process.memoryUsage().rss;
    const after = await memoryAfterGc();
    const merged = mergeLoads(results);
    // Steady state: each user signs in once per round, rounds 30 s apart (one TOTP step), within the agent's lookup cache lifetime.
    rec.set('okta.calls/sign-in', merged.answered > 0 ? round((oktaCalls - callsBefore) / merged.answered, 3) : Number.NaN, 'calls');
    const accepted = merged.codes[RadiusCode.AccessAccept] ?? 0;
    recordLoad(rec, '', merged);
    rec.set('accepted', accepted, 'requests');
    rec.set('rounds', results.length, 'rounds');
    recordMemory(rec, before, middle ?? after, after, peakRss);
    rec.set('heap.growth/request', merged.sent > 0 ? round((after.heapUsed - before.heapUsed) / merged.sent) : 0, 'bytes');

    // Service time of one request alone: one in flight.
    const serial = mergeLoads([await oneRound(options.quick ? 20 : 300, 1, options.quick ? 1_000 : 5_000)]);
    rec.set('serial.p50', round(percentile(serial.latenciesMs, 50), 3), 'ms');
    rec.set('serial.p99', round(percentile(serial.latenciesMs, 99), 3), 'ms');
    rec.set('serial.accepted', serial.codes[RadiusCode.AccessAccept] ?? 0, 'requests');

    const orgEvents = org.events.all().length;
    rec.set('okta.events', orgEvents, 'events');

    rec.goal('accepted', '>=', merged.sent);
    rec.goal('serial.accepted', '>=', serial.sent);
    rec.goal('loss', '<=', 0);
    rec.goal('okta.calls/sign-in', '<=', 1.5);
    rec.goal('req/s', '>=', options.quick ? 50 : 500);
    // At 64 in flight latency is mostly queueing (Little's law); the service time is serial.*.
    rec.goal('p99', '<=', 500);
    rec.goal('serial.p50', '<=', 5);
    rec.goal('serial.p99', '<=', 25);
    rec.goal('rss.growth', '<=', 250);
    // Includes the mock org's event log (~0.4 KB per verify); the rest is the agent's and msw's.
    rec.goal('heap.growth/request', '<=', 2_000);
    rec.note(
      `${users} users × ${results.length} rounds, ${inFlight} in flight over ${sockets} source ports, bounded by ${maxRequests} requests / ${maxDurationMs} ms; ` +
        `memory includes the mock org, whose event log keeps every verify (${orgEvents} events) and each factor's used TOTP steps`,
    );
  } finally {
    await load.close();
    await agent.stop();
  }
}
