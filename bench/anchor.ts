/**
 * The anchor: the reference agent (its CLI, a process) against Debian's
 * FreeRADIUS 3.2 (files + PAP, a process) on the same load from the same
 * separate load-generator process, alternated A/B/A/B… in one run so both see
 * the same machine. The request is the RADIUS hygiene path: an Access-Request
 * with Message-Authenticator and no User-Password, which both reject without
 * any back end (the agent: protocol-not-supported, no Okta call; FreeRADIUS: no
 * Auth-Type). 64 in flight over 8 source ports. Reported: requests/s and CPU
 * µs per request of each server (its whole process group, from /proc), their
 * ratios (agent ÷ FreeRADIUS: ≥ 1 means the agent keeps up), and the load
 * average before and after.
 */
import { spawnSync } from 'node:child_process';
import { SECRET } from './codec.ts';
import { type BenchOptions, type Recorder, round } from './lib.ts';
import type { LoadChildResult } from './loadgen-child.ts';
import { groupCpuMs, loadAverage, type PlainFreeradius, runLoadProcess, startAgentProcess, startPlainFreeradius } from './procs.ts';
import { BenchSkipped } from './radclient.ts';

interface Sample {
  reqPerSec: number;
  cpuUsPerRequest: number;
  lost: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function runAnchorBench(rec: Recorder, options: BenchOptions): Promise<void> {
  if (spawnSync('sh', ['-c', `command -v ${process.env.RMH_FREERADIUS_BIN ?? 'freeradius'}`]).status !== 0) {
    throw new BenchSkipped('FreeRADIUS is not installed (apt-get install freeradius)');
  }
  const rounds = options.quick ? 1 : 3;
  const perRun = { maxRequests: options.quick ? 2_000 : 40_000, maxDurationMs: options.quick ? 2_000 : 5_000 };
  const before = loadAverage();
  let fr: PlainFreeradius | undefined;
  const agent = await startAgentProcess({
    // Never reached on this path; a closed port, so a stray call would fail fast.
    okta: { orgUrl: 'http://127.0.0.1:9', apiToken: 'unused-on-the-hygiene-path' },
    apps: [{ name: 'bench', listen: { host: '127.0.0.1', port: 0 }, clients: [{ name: 'bench', address: '127.0.0.1', secret: SECRET }] }],
    logging: { level: 'info' },
  });
  try {
    fr = await startPlainFreeradius(SECRET);
    const frGroup = fr.pgid;
    const pgidOf = (name: 'agent' | 'freeradius'): number => (name === 'agent' ? agent.pgid : frGroup);
    const ports = { agent: agent.port, freeradius: fr.port };
    const samples: Record<'agent' | 'freeradius', Sample[]> = { agent: [], freeradius: [] };
    const one = async (name: 'agent' | 'freeradius', count: number, ms: number): Promise<LoadChildResult> => {
      const pgid = pgidOf(name);
      const cpu0 = groupCpuMs(pgid);
      const r = await runLoadProcess({
        host: '127.0.0.1',
        port: ports[name],
        secret: SECRET,
        userName: 'alice',
        maxRequests: count,
        maxDurationMs: ms,
        inFlight: 64,
        sockets: 8,
        timeoutMs: 1_000,
      });
      const cpu = groupCpuMs(pgid) - cpu0;
      samples[name].push({ reqPerSec: r.reqPerSec, cpuUsPerRequest: r.answered > 0 ? (cpu * 1000) / r.answered : Number.NaN, lost: r.lost });
      return r;
    };
    // Warm-up of both (JIT, FreeRADIUS's thread pool), not counted.
    await one('agent', options.quick ? 500 : 10_000, 3_000);
    await one('freeradius', options.quick ? 500 : 10_000, 3_000);
    samples.agent.length = 0;
    samples.freeradius.length = 0;
    for (let i = 0; i < rounds; i++) {
      const order: Array<'agent' | 'freeradius'> = i % 2 === 0 ? ['freeradius', 'agent'] : ['agent', 'freeradius'];
      for (const name of order) await one(name, perRun.maxRequests, perRun.maxDurationMs);
    }
    // An unpaced burst: every request sent at once (one socket per 256), answered or lost within 5 s.
    const burstSize = options.quick ? 300 : 1_000;
    for (const name of ['agent', 'freeradius'] as const) {
      const b = await runLoadProcess({
        host: '127.0.0.1',
        port: ports[name],
        secret: SECRET,
        userName: 'alice',
        maxRequests: burstSize,
        maxDurationMs: 5_000,
        inFlight: burstSize,
        sockets: 4,
        timeoutMs: 5_000,
        burst: true,
      });
      rec.set(`${name}.burst.answered`, b.answered, `of ${burstSize}`);
    }
    const after = loadAverage();
    for (const name of ['agent', 'freeradius'] as const) {
      rec.set(`${name}.req/s`, round(median(samples[name].map((s) => s.reqPerSec))), 'req/s');
      rec.set(`${name}.cpu/request`, round(median(samples[name].map((s) => s.cpuUsPerRequest)), 1), 'µs');
      rec.set(`${name}.lost`, samples[name].reduce((n, s) => n + s.lost, 0), 'requests');
    }
    const ratios = samples.agent.map((a, i) => a.reqPerSec / (samples.freeradius[i]?.reqPerSec ?? Number.NaN));
    rec.set('ratio.req/s', round(median(ratios), 2), '× FreeRADIUS');
    rec.set(
      'ratio.cpu',
      round(median(samples.freeradius.map((f, i) => f.cpuUsPerRequest / (samples.agent[i]?.cpuUsPerRequest ?? Number.NaN))), 2),
      '× FreeRADIUS',
    );
    rec.set('loadavg.before', before.one, '1-min');
    rec.set('loadavg.after', after.one, '1-min');
    rec.goal('ratio.req/s', '>=', 1);
    rec.goal('agent.lost', '<=', 0);
    rec.goal('agent.burst.answered', '>=', burstSize);
    rec.note(
      `hygiene path (Access-Request with Message-Authenticator, no User-Password: rejected without Okta), 64 in flight over 8 ports, ` +
        `${rounds} alternated rounds of ≤ ${perRun.maxRequests} requests / ${perRun.maxDurationMs} ms each; ` +
        `ratio.req/s = agent ÷ FreeRADIUS per round (median), ratio.cpu = FreeRADIUS CPU ÷ agent CPU per request; ` +
        `loadavg ${before.line} → ${after.line}`,
    );
  } finally {
    await agent.stop();
    await fr?.stop();
  }
}
