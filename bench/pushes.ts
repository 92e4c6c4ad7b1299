/**
 * Many pushes pending at once on one agent (its CLI, a process): N users sign
 * in with PUSH together; their phones approve `approveAfterMs` later. The agent
 * has one Okta call budget for all its calls (okta.callsPerSecond); once the
 * storm's sign-in calls are through (every push sent) and the pushes wait,
 * polled with the whole budget, other users sign in with TOTP codes, so sign-ins
 * that are not pushes are timed while polls would take every call there is.
 * Reported: the agent's peak RSS, every push answered (and before its
 * deadline), the most Okta calls the agent made in any one second (all calls:
 * lookups, verifies, polls), when the storm's sign-in calls were through, and the
 * TOTP sign-ins' latency under the push storm. The mock Okta (with the phones)
 * is a process of its own (okta-child.ts); this process only sends the sign-ins.
 */
import { runSignInLoad } from '../cli/load-engine.ts';
import { newTotpSecret } from '../simulators/okta/totp.ts';
import { SECRET } from './codec.ts';
import { type BenchOptions, pause, type Recorder, round } from './lib.ts';
import { groupRssKiB, loadAverage, oktaCallsOf, startAgentProcess, startOktaChild } from './procs.ts';

export async function runPushesBench(rec: Recorder, options: BenchOptions): Promise<void> {
  const pushes = Number(process.env.RMH_BENCH_PUSHES ?? (options.quick ? 300 : 10_000));
  const totpUsers = options.quick ? 50 : 500;
  const approveAfterMs = options.quick ? 2_000 : 10_000;
  // The agent's Okta call budget for ALL calls (okta.callsPerSecond); polls get what sign-in calls leave.
  const callBudget = Number(process.env.RMH_BENCH_CALL_BUDGET ?? 1_000);
  const maxConnections = 20;
  const pushMs = 30_000;
  const before = loadAverage();
  const totpSecret = newTotpSecret();
  const okta = await startOktaChild({ users: pushes + totpUsers, totpSecret, speedup: 1, pushAnswerMs: approveAfterMs });
  let agent: Awaited<ReturnType<typeof startAgentProcess>> | undefined;
  try {
    agent = await startAgentProcess({
      okta: { orgUrl: okta.info.url, apiToken: okta.info.token, callsPerSecond: callBudget, pushPollsPerSecond: callBudget, maxConnections },
      apps: [
        {
          name: 'bench',
          appId: okta.info.appId,
          listen: { host: '127.0.0.1', port: 0 },
          usernameFormat: { suffix: '@corp.example.com' },
          clients: [{ name: 'bench', address: '127.0.0.1', secret: SECRET }],
          // always-reject: a sign-in still in its lookups at the total time-out is answered too (the default mode is silent then).
          timeouts: { totalRequestMs: 2 * pushMs, pushMs, responseModeOnTimeout: 'always-reject' },
        },
      ],
      // As many requests at once as pushes and sign-ins (Okta's agent: ragent.num_request_threads).
      requestThreads: pushes + totpUsers + 100,
      logging: { level: 'info' },
      http: { host: '127.0.0.1', port: 0 },
    });
    const running = agent;
    let peakRssKiB = 0;
    const rssTrace: number[] = [];
    const callTrace: Array<{ calls: number; at: number }> = [];
    let maxCallsPerSecond = 0;
    let lastCalls = await oktaCallsOf(running);
    let lastAt = performance.now();
    let sampling = true;
    const t0 = performance.now();
    // When every push of the storm was sent (the storm's sign-in calls through), s from its start.
    let stormCallsDoneS = Number.NaN;
    const sampler = (async () => {
      for (let i = 0; sampling && i < 600; i++) {
        await pause(1_000);
        const rss = groupRssKiB(running.pgid);
        peakRssKiB = Math.max(peakRssKiB, rss);
        rssTrace.push(Math.round(rss / 1024));
        const calls = await oktaCallsOf(running);
        const at = performance.now();
        callTrace.push({ calls, at });
        // Calls finished per second of this sample (a sample is a little over a second).
        maxCallsPerSecond = Math.max(maxCallsPerSecond, Math.round(((calls - lastCalls) * 1000) / (at - lastAt)));
        lastCalls = calls;
        lastAt = at;
        if (Number.isNaN(stormCallsDoneS) && (await verifiesOf(running)) >= pushes) stormCallsDoneS = (at - t0) / 1000;
      }
    })();
    // Awaited only after the storm: a failed sample (the agent gone) must not be an unhandled
    // rejection that kills the bench before it can report; it fails this benchmark below.
    sampler.catch(() => {});
    const common = {
      host: '127.0.0.1',
      port: running.port,
      secret: SECRET,
      prefix: okta.info.prefix,
      rate: 0,
      retransmit: 0,
      retransmitAfterMs: 1_000,
      totpSecret,
      now: () => Date.now(),
    };
    const storm = runSignInLoad({
      ...common,
      users: pushes,
      mix: { totp: 0, push: 1, wrong: 0 },
      concurrency: pushes,
      maxSignIns: pushes,
      maxDurationMs: 5_000,
      timeoutMs: 2 * pushMs + 10_000,
    });
    // Other users (after the push users) sign in with TOTP once the storm's own sign-in calls are
    // through and its pushes wait (polling with the whole budget): their calls must not queue behind
    // the polls. At the latest 55 s in (5 s in --quick): on a loaded machine the storm's 40,000
    // cold calls take longer than the budget's 40 s.
    for (let waited = 0; Number.isNaN(stormCallsDoneS) && waited < (options.quick ? 5_000 : 55_000); waited += 250) await pause(250);
    const totpAtS = (performance.now() - t0) / 1000;
    const lookups = await runSignInLoad({
      ...common,
      users: totpUsers,
      userNames: Array.from({ length: totpUsers }, (_, i) => `${okta.info.prefix}${pushes + i}`),
      mix: { totp: 1, push: 0, wrong: 0 },
      concurrency: 8,
      maxSignIns: totpUsers,
      maxDurationMs: 15_000,
      timeoutMs: 30_000,
    });
    const r = await storm;
    sampling = false;
    await sampler;
    const after = loadAverage();
    rec.set('pushes', r.started, 'sign-ins');
    rec.set('pushes.approved', r.byKind.push.accepted, 'sign-ins');
    rec.set('pushes.rejected', r.byKind.push.rejected, 'sign-ins');
    rec.set('pushes.lost', r.lost, 'sign-ins');
    rec.set('pushes.max', round(r.max / 1000, 1), 's');
    rec.set('agent.rss.peak', round(peakRssKiB / 1024, 1), 'MiB');
    rec.set('okta.calls/s.max', maxCallsPerSecond, 'calls');
    // Over five samples: the jitter of reading the agent's metrics (its event loop answers a
    // little late when busy) moves a one-second sample by a few per cent, five seconds' by ~1 %.
    let maxCallsPer5s = 0;
    for (let i = 5; i < callTrace.length; i++) {
      const a = callTrace[i - 5]!;
      const b = callTrace[i]!;
      maxCallsPer5s = Math.max(maxCallsPer5s, Math.round(((b.calls - a.calls) * 1000) / (b.at - a.at)));
    }
    rec.set('okta.calls/s.max5s', maxCallsPer5s, 'calls');
    rec.set('storm.calls.done', round(stormCallsDoneS, 1), 's');
    rec.set('totp.start', round(totpAtS, 1), 's');
    rec.set('totp.during', lookups.started, 'sign-ins');
    rec.set('totp.accepted', lookups.byKind.totp.accepted, 'sign-ins');
    rec.set('totp.p50', lookups.p50, 'ms');
    rec.set('totp.p99', lookups.p99, 'ms');
    rec.set('loadavg.before', before.one, '1-min');
    rec.set('loadavg.after', after.one, '1-min');
    rec.goal('pushes.approved', '>=', pushes);
    rec.goal('pushes.lost', '<=', 0);
    // Every request answered by its deadline (the total time-out, 60 s; a little for the way back).
    rec.goal('pushes.max', '<=', (2 * pushMs) / 1000 + 1);
    rec.goal('agent.rss.peak', '<=', 256);
    // One budget for all calls: admission is exact (at most callBudget starts in any one second,
    // agent/src/okta/call-slots.test.ts; in process at 10,000 pushes: 1,000 admitted in the busiest
    // second). Seen from here, calls are counted when they finish (up to maxConnections in flight)
    // and read over HTTP from a busy process (a few per cent of jitter in the sample's length).
    rec.goal('okta.calls/s.max5s', '<=', Math.round(callBudget * 1.03) + maxConnections);
    rec.goal('totp.accepted', '>=', lookups.started);
    rec.goal('totp.p99', '<=', 1_000);
    rec.note(
      `${pushes} pushes at once (phones approve after ${approveAfterMs / 1000} s, push timeout ${pushMs / 1000} s, Okta call budget ${callBudget}/s for all calls), ` +
        `${lookups.started} TOTP sign-ins from ${round(totpAtS, 1)} s at 8 in flight; RSS of the agent's process group sampled each second (MiB, every 5 s: ${rssTrace.filter((_, i) => i % 5 === 4).join(' ')}); loadavg ${before.line} → ${after.line}`,
    );
  } finally {
    await agent?.stop();
    await okta.stop();
  }
}

/** verifyFactor calls the agent has made (its metrics), over every status: pushes sent and passcodes checked. */
async function verifiesOf(agent: Awaited<ReturnType<typeof startAgentProcess>>): Promise<number> {
  if (agent.httpPort === undefined) return Number.NaN;
  const text = await (await fetch(`http://127.0.0.1:${agent.httpPort}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('radius_mfa_okta_request_duration_seconds_count{') && line.includes('operation="verifyFactor"')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}
