/**
 * Judges a finished zoo run from its reports: for each `<out>/zoo:<variant>/messages.ndjson`
 * that `radius-harness run --target zoo` wrote, the verdicts (reports/verdicts.ts)
 * and then judgeZoo / judgeControl. Prints one line per variant with the
 * scenarios that caught it, writes `<out>/zoo.json`, exits non-zero when a
 * variant was not caught or the control failed.
 *
 *   node steps/targets/zoo/report.ts [reports/out] [--reasons] [--tally]
 *
 * (scripts/zoo.sh runs the zoo and then this; --tally prints `  zoo: N passed, N failed`.)
 *
 * The runner (cli/run.ts) can do the same in-process with `judgeZooRun`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { computeVerdicts } from '../../../reports/verdicts.ts';
import { type JudgedScenario, judgeControl, judgeZoo, type ZooJudgement } from './judge.ts';
import { CONTROL_VARIANT, ZOO_VARIANTS } from './variants.ts';

export interface ZooRunReport {
  variants: Array<ZooJudgement & { description: string; area: string }>;
  control: ReturnType<typeof judgeControl> | undefined;
  /** Variants with no verdicts in this run (not run). */
  missing: string[];
  ok: boolean;
}

/** Judges every variant whose verdicts are given (by target name `zoo:<variant>`). */
export function judgeZooRun(verdictsByTarget: ReadonlyMap<string, readonly JudgedScenario[]>): ZooRunReport {
  const variants: ZooRunReport['variants'] = [];
  const missing: string[] = [];
  for (const v of ZOO_VARIANTS) {
    const verdicts = verdictsByTarget.get(`zoo:${v.name}`);
    if (!verdicts) {
      missing.push(v.name);
      continue;
    }
    variants.push({ ...judgeZoo(v, verdicts), description: v.description, area: v.area });
  }
  const controlVerdicts = verdictsByTarget.get(`zoo:${CONTROL_VARIANT.name}`);
  const control = controlVerdicts ? judgeControl(controlVerdicts) : undefined;
  const ok = variants.length > 0 && variants.every((j) => j.caught) && (control?.ok ?? true);
  return { variants, control, missing, ok };
}

/** One line per variant, for the console. */
export function formatZooReport(r: ZooRunReport): string {
  const lines = r.variants.map((j) => `  ${j.caught ? 'caught ' : 'MISSED '} ${j.variant.padEnd(40)} ${j.caught ? `${j.caughtBy.length} scenario(s): ${j.caughtBy.join(' | ')}` : j.reason}`);
  if (r.control) lines.push(`  ${r.control.ok ? 'ok     ' : 'BROKEN '} control${' '.repeat(34)}${r.control.reason}`);
  if (r.missing.length > 0) lines.push(`  (not run: ${r.missing.join(', ')})`);
  const caught = r.variants.filter((j) => j.caught).length;
  return `Zoo: ${caught} of ${r.variants.length} variants caught${r.ok ? '' : ' — the zoo run FAILS'}\n${lines.join('\n')}`;
}

function readEnvelopes(file: string): Envelope[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Envelope);
}

if (import.meta.main) {
  const out = process.argv[2] ?? 'reports/out';
  const byTarget = new Map<string, JudgedScenario[]>();
  for (const v of [...ZOO_VARIANTS, CONTROL_VARIANT]) {
    const file = join(out, `zoo:${v.name}`, 'messages.ndjson');
    if (existsSync(file)) byTarget.set(`zoo:${v.name}`, computeVerdicts(`zoo:${v.name}`, readEnvelopes(file)).verdicts);
  }
  const report = judgeZooRun(byTarget);
  writeFileSync(join(out, 'zoo.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(formatZooReport(report));
  if (process.argv.includes('--reasons')) {
    for (const [t, vs] of byTarget) for (const v of vs.filter((x) => x.verdict === 'fail')) console.log(`${t}\t${v.id}\t${v.reason}`);
  }
  if (process.argv.includes('--tally')) {
    // The line `npm test`'s closing tally reads: each variant caught, and a clean control, is one check passed.
    const caught = report.variants.filter((j) => j.caught).length + (report.control?.ok ? 1 : 0);
    const total = report.variants.length + (report.control ? 1 : 0) + report.missing.length;
    console.log(`  zoo: ${caught} passed, ${total - caught} failed`);
  }
  process.exitCode = report.ok && report.missing.length === 0 ? 0 : 1;
}
