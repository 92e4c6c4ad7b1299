/**
 * `npm run bench` — speed and memory goals of the harness's RADIUS path,
 * loopback only, every load loop bounded by count and time. Prints a table and
 * `bench: N met, N missed`; writes reports/out/bench.json. Exits non-zero on a
 * missed goal only with --strict (and always on a benchmark that crashes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runAnchorBench } from './anchor.ts';
import { runCodecBench } from './codec.ts';
import { runE2eBench } from './e2e.ts';
import { runMfaBench } from './mfa.ts';
import { runOktaMockBench } from './okta-mock.ts';
import { runPushesBench } from './pushes.ts';
import {
  type BenchOptions,
  type BenchResult,
  HelpRequested,
  parseOptions,
  Recorder,
  renderTable,
  tally,
  usage,
} from './lib.ts';
import { BenchSkipped, runRadclientBench } from './radclient.ts';
import { runTransportBench } from './transport.ts';

interface BenchDef {
  name: string;
  title: string;
  run: (rec: Recorder, options: BenchOptions) => Promise<void>;
}

export const BENCHES: readonly BenchDef[] = [
  { name: 'codec', title: 'RADIUS codec (decode, Message-Authenticator, encode, User-Password)', run: runCodecBench },
  { name: 'transport', title: 'RadiusServer on 127.0.0.1, in-process load generator', run: runTransportBench },
  { name: 'radclient', title: 'RadiusServer driven by FreeRADIUS radclient (optional)', run: runRadclientBench },
  { name: 'anchor', title: 'agent process vs FreeRADIUS, hygiene path, A/B alternated, separate load process', run: runAnchorBench },
  { name: 'mfa', title: 'MFA sign-ins: load, agent and mock Okta (HTTP) each a process; CPU per sign-in, Okta calls per sign-in', run: runMfaBench },
  { name: 'okta-mock', title: 'the mock Okta alone: in-process dispatch (msw, route index, direct); served CPU per sign-in at 1,000 and 100,000 users', run: runOktaMockBench },
  { name: 'pushes', title: 'many pushes pending on one agent process: memory, poll budget, lookups meanwhile', run: runPushesBench },
  { name: 'e2e', title: 'reference agent + mock Okta (oktaFetch), TOTP passcodes', run: runE2eBench },
];

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof HelpRequested) {
      console.log(usage(BENCHES.map((b) => b.name)));
      return 0;
    }
    console.error(`bench: ${(e as Error).message}\n${usage(BENCHES.map((b) => b.name))}`);
    return 2;
  }
  const unknown = options.only.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`bench: unknown benchmark ${unknown.join(', ')}; choose from ${BENCHES.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = options.only.length > 0 ? BENCHES.filter((b) => options.only.includes(b.name)) : BENCHES;
  const cpu = cpus();
  const machine = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryMiB: Math.round(totalmem() / 1024 / 1024),
  };
  console.log(
    `bench${options.quick ? ' (quick: small counts, figures not representative)' : ''} — node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}`,
  );

  const results: BenchResult[] = [];
  let crashed = false;
  for (const b of selected) {
    const rec = new Recorder();
    const start = performance.now();
    process.stdout.write(`  ${b.name}: ${b.title} … `);
    const result: BenchResult = { name: b.name, title: b.title, status: 'ran', durationMs: 0, metrics: {}, units: {}, goals: [], notes: [] };
    try {
      await b.run(rec, options);
    } catch (e) {
      if (e instanceof BenchSkipped) {
        result.status = 'skipped';
        result.reason = e.message;
      } else {
        result.status = 'failed';
        result.reason = e instanceof Error ? e.message : String(e);
        crashed = true;
      }
    }
    result.durationMs = Math.round(performance.now() - start);
    Object.assign(result, { metrics: rec.metrics, units: rec.units, goals: rec.goals, notes: rec.notes });
    results.push(result);
    console.log(result.status === 'ran' ? `${(result.durationMs / 1000).toFixed(1)} s` : `${result.status}: ${result.reason}`);
  }

  console.log(`\n${renderTable(results)}\n`);
  for (const r of results) for (const n of r.notes) console.log(`  ${r.name}: ${n}`);
  const { met, missed } = tally(results);
  const summary = `bench: ${met} met, ${missed} missed`;

  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(
    options.out,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), quick: options.quick, machine, met, missed, results }, null, 2)}\n`,
  );
  console.log(`\n${summary}${crashed ? ' (a benchmark failed to run)' : ''} — results in ${options.out}`);
  if (crashed) return 1;
  return options.strict && missed > 0 ? 1 : 0;
}

process.exitCode = await main();
