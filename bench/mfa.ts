/**
 * MFA sign-ins across three processes: the load generator (TOTP codes), the
 * reference agent (its CLI, mfa-only, appId set) and the mock Okta org over
 * real HTTP. Each process's CPU comes from /proc, so the figures are CPU
 * time per sign-in of the agent and of the mock (the numbers that hold on a
 * shared machine), plus the agent's Okta calls per sign-in from its own
 * metrics. The mock's clock runs 30× fast so each user may sign in again
 * after one real second (one TOTP step); users sign in round-robin, so one
 * user's sign-ins are `users / rate` seconds apart — within the agent's
 * lookup-cache lifetime: this is the steady state of a busy fleet.
 */
import { newTotpSecret, TOTP_PERIOD_S } from '../simulators/okta/totp.ts';
import { SECRET } from './codec.ts';
import { type BenchOptions, type Recorder, round } from './lib.ts';
import { fastTime } from './okta-child.ts';
import { groupCpuMs, groupRssKiB, loadAverage, oktaCallsOf, runLoadProcess, startAgentProcess, startOktaChild } from './procs.ts';

export async function runMfaBench(rec: Recorder, options: BenchOptions): Promise<void> {
  const users = options.quick ? 300 : 1_000;
  const totpSecret = newTotpSecret();
  const before = loadAverage();
  const okta = await startOktaChild({ users, totpSecret, speedup: 10 });
  let agent: Awaited<ReturnType<typeof startAgentProcess>> | undefined;
  try {
    agent = await startAgentProcess({
      okta: { orgUrl: okta.info.url, apiToken: okta.info.token, callsPerSecond: 1_000_000 }, // the agent's Okta call budget lifted, as the org's rate limit is (CPU per sign-in is measured, not pacing)
      apps: [
        {
          name: 'bench',
          appId: okta.info.appId,
          listen: { host: '127.0.0.1', port: 0 },
          usernameFormat: { suffix: '@corp.example.com' },
          clients: [{ name: 'bench', address: '127.0.0.1', secret: SECRET }],
        },
      ],
      logging: { level: 'info' },
      http: { host: '127.0.0.1', port: 0 },
      // 64 in flight: more than Okta's agent's default 15 request threads.
      requestThreads: 1_000,
    });
    const run = (maxRequests: number, maxDurationMs: number) =>
      runLoadProcess({
        host: '127.0.0.1',
        port: agent!.port,
        secret: SECRET,
        userName: '',
        maxRequests,
        maxDurationMs,
        inFlight: 64,
        sockets: 8,
        timeoutMs: 5_000,
        totp: { secret: totpSecret, users, prefix: okta.info.prefix, startMs: okta.info.startMs, speedup: okta.info.speedup },
      });
    // Warm-up: JIT of both, connection pool, and one pass over the users (the cold lookups).
    const warm = await run(options.quick ? 300 : users, options.quick ? 3_000 : 30_000);
    if (warm.accepts === 0) throw new Error(`the agent accepted no sign-in in the warm-up: ${JSON.stringify(warm)} ${agent.tail.slice(-3).join(' | ')}`);
    // The measured run starts in a TOTP step after the warm-up's last one: each user's warm-up
    // code was used in Okta's ±1-step window, so a sign-in in that same step again is a replay
    // the org rightly refuses (passcode-invalid: ~10 % of a run when the two shared a step).
    const stepNow = (): number => Math.floor(fastTime(okta.info, Date.now()) / 1000 / TOTP_PERIOD_S);
    const warmStep = stepNow();
    while (stepNow() === warmStep) await new Promise((resolve) => setTimeout(resolve, 25));
    const calls0 = await oktaCallsOf(agent);
    const agentCpu0 = groupCpuMs(agent.pgid);
    const oktaCpu0 = groupCpuMs(okta.pgid);
    const r = await run(options.quick ? 500 : 20_000, options.quick ? 3_000 : 20_000);
    const agentCpu = groupCpuMs(agent.pgid) - agentCpu0;
    const oktaCpu = groupCpuMs(okta.pgid) - oktaCpu0;
    const calls = (await oktaCallsOf(agent)) - calls0;
    const after = loadAverage();
    rec.set('sign-ins', r.sent, 'requests');
    rec.set('accepted', r.accepts, 'requests');
    rec.set('lost', r.lost, 'requests');
    rec.set('req/s', r.reqPerSec, 'req/s');
    rec.set('p50', r.p50, 'ms');
    rec.set('p99', r.p99, 'ms');
    rec.set('okta.calls/sign-in', r.answered > 0 ? round(calls / r.answered, 3) : Number.NaN, 'calls');
    rec.set('agent.cpu/sign-in', r.answered > 0 ? round(agentCpu / r.answered, 3) : Number.NaN, 'ms');
    rec.set('okta.cpu/sign-in', r.answered > 0 ? round(oktaCpu / r.answered, 3) : Number.NaN, 'ms');
    rec.set('agent.rss', round(groupRssKiB(agent.pgid) / 1024, 1), 'MiB');
    rec.set('loadavg.before', before.one, '1-min');
    rec.set('loadavg.after', after.one, '1-min');
    rec.goal('accepted', '>=', r.sent);
    rec.goal('okta.calls/sign-in', '<=', 1.5);
    rec.goal('agent.cpu/sign-in', '<=', 0.3);
    rec.goal('okta.cpu/sign-in', '<=', 0.3);
    rec.note(
      `${users} users round-robin (one TOTP step = ${30 / okta.info.speedup} s real), 64 in flight, ≤ ${options.quick ? 500 : 20_000} sign-ins after a warm-up of ${warm.sent}; ` +
        `CPU from /proc of each process group; loadavg ${before.line} → ${after.line}`,
    );
  } finally {
    await agent?.stop();
    await okta.stop();
  }
}
