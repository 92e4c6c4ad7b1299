/**
 * The harness's Cucumber plug-in: where verdicts, traces, pcaps, JUnit and the
 * conformance matrix come from, for plain `npx cucumber-js` (cucumber.js loads
 * it) and `radius-mfa-harness run` (which loads the same configuration) alike.
 *
 * - `pickles:filter`: before anything runs, every loaded scenario's tags are
 *   checked (reports/tags.ts) and every ledger entry must name exactly one
 *   loaded scenario; a problem stops the run with what is allowed. Scenarios
 *   tagged @no-agent are kept, dropped or kept alone (`noAgent`), so the runner
 *   can run them once for the whole run. A zoo variant's run keeps only the
 *   scenarios that could catch it (those with a step its caughtBy names).
 * - `message`: collects the run's envelopes.
 * - at the end: verdicts (reports/verdicts.ts) for the target and, apart, for
 *   the @no-agent scenarios ("simulators"); their folders, JUnit, traces and
 *   pcaps (reports/run-output.ts); the matrix of every part of this run; and the
 *   run's judgement. Under plain cucumber-js that judgement also sets the exit
 *   code (at exit, never lower than Cucumber's own): a run that checked
 *   nothing, or kept a stale ledger entry in a full run, is not green.
 *
 * Options (`pluginOptions: { rmh: {…} }`, all optional; the environment gives
 * the defaults so plain `RMH_TARGET=process npx cucumber-js` works):
 *   target (RMH_TARGET, embedded)   profile (RMH_PROFILE)   out (RMH_OUT, reports/out)
 *   allowUnavailable (RMH_ALLOW_UNAVAILABLE=1)   noAgent: include | exclude | only
 *   clean (true)   summary (true)   exitCode (true)   dryRun (cucumber-js --dry-run)
 */
import { globSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { IFilterablePickle, Plugin } from '@cucumber/cucumber/api';
import type { Envelope } from '@cucumber/messages';
import { CodedError } from '../agent/src/errors.ts';
import { checkLedgerAgainstScenarios, entryKey, type Ledger, LedgerError, ledgerForTarget } from './ledger.ts';
import { cleanOutDir, readRuns, writeBucket, writeMatrix } from './run-output.ts';
import { areaOfUri, checkTags, NO_AGENT_TAG, tagsInExpression } from './tags.ts';
import type { TargetRun } from './matrix.ts';
import { couldCatch } from '../steps/targets/zoo/judge.ts';
import { zooVariantOf } from '../steps/targets/zoo/variants.ts';
import {
  computeVerdicts,
  exampleOf,
  exampleRows,
  featurePath,
  formatSummary,
  judgeRun,
  type RunJudgement,
  scenariosOf,
  SIMULATORS,
  type ScenarioVerdict,
  summarize,
} from './verdicts.ts';

// A type (not an interface) so it fits Cucumber's JSON options type.
export type RmhPluginOptions = {
  target?: string;
  profile?: string;
  out?: string;
  allowUnavailable?: boolean;
  noAgent?: 'include' | 'exclude' | 'only';
  clean?: boolean;
  summary?: boolean;
  exitCode?: boolean;
  dryRun?: boolean;
};

/** The areas: the folders under features/ (each feature's @area must be its own). */
export function featureAreas(cwd: string): string[] {
  return [...new Set(globSync('features/*/**/*.feature', { cwd }).map((f) => areaOfUri(f.split('\\').join('/'))!))].filter(Boolean).sort();
}

/** Every problem with the loaded scenarios' tags, one line each (empty: all fine). */
export function tagProblems(scenarios: readonly { uri: string; tags: readonly string[]; line: number }[], areas: readonly string[]): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const s of scenarios) {
    for (const problem of checkTags(s.tags, s.uri, s.line, areas)) {
      // A feature-level tag is on every scenario of the file: say it once per file and tag.
      const key = `${s.uri}|${problem.tag}|${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`${problem.where}: ${problem.message}`);
    }
  }
  return lines;
}

/** Tags named in a --tags expression that no scenario could carry. */
export function expressionProblems(expression: string | undefined, areas: readonly string[]): string[] {
  if (!expression) return [];
  return checkTags(tagsInExpression(expression), 'the --tags expression', 0, areas).map((p) => `--tags: ${p.message}`);
}

/** Error raised before anything runs; the runner exits 2 with its message. */
export class LoadError extends CodedError {}

/** Turns the parts this run wrote (verdicts.json) into the run's judgement. */
export function judgeParts(runs: readonly TargetRun[], opts: { fullSuite: boolean; allowUnavailable: boolean }): RunJudgement {
  const targets = runs.filter((r) => r.kind !== 'simulators');
  const sims = runs.find((r) => r.kind === 'simulators');
  return judgeRun({
    targets: targets.map((r) => ({
      target: r.target,
      verdicts: r.verdicts,
      ...(r.unavailable !== undefined ? { unavailable: r.unavailable } : {}),
      unmatchedLedgerEntries: r.unmatchedLedgerEntries ?? [],
      hookFailures: r.hookFailures ?? [],
    })),
    simulators: sims?.verdicts ?? [],
    fullSuite: opts.fullSuite,
    allowUnavailable: opts.allowUnavailable,
  });
}

/** Lines for people: each part's counts, then every failure with its reason. */
export function summaryLines(runs: readonly TargetRun[], judgement: RunJudgement): string[] {
  const lines: string[] = [];
  const agents = runs.filter((r) => r.kind !== 'simulators');
  const sims = runs.find((r) => r.kind === 'simulators');
  for (const r of agents) {
    lines.push(`  ${r.target}: ${r.unavailable !== undefined ? `unavailable (${r.unavailable}); ` : ''}${formatSummary(summarize(r.verdicts))}`);
    lines.push(...failureLines(r.verdicts));
  }
  if (sims) {
    lines.push(`  ${SIMULATORS}: ${formatSummary(summarize(sims.verdicts))} (the @no-agent scenarios, which never reach an agent: run once, counted for no target)`);
    lines.push(...failureLines(sims.verdicts));
  }
  for (const n of judgement.notes) lines.push(`  note: ${n}`);
  return lines;
}

function failureLines(verdicts: readonly ScenarioVerdict[]): string[] {
  const lines: string[] = [];
  const lost = new Map<string, number>();
  for (const v of verdicts) {
    if (v.unavailable !== undefined && v.verdict === 'fail') {
      // One line for a target lost in a worker, not one per scenario.
      lost.set(v.unavailable, (lost.get(v.unavailable) ?? 0) + 1);
      continue;
    }
    if (v.verdict === 'fail' || v.verdict === 'unexpected-pass') {
      lines.push(`    ${v.verdict === 'fail' ? 'FAIL' : 'UNEXPECTED PASS'}  ${v.uri}:${v.line}  ${v.name}${v.reason ? ` — ${v.reason}` : ''}`);
    }
  }
  for (const [reason, n] of lost) lines.push(`    FAIL  ${n} scenarios: the target became unavailable — ${reason}`);
  return lines;
}

function bool(v: string | undefined): boolean {
  return v === '1' || v === 'true' || v === 'yes';
}

const plugin: Plugin<RmhPluginOptions> = {
  type: 'plugin',
  optionsKey: 'rmh',
  async coordinator({ operation, on, transform, options, environment }) {
    if (operation !== 'runCucumber') return;
    const env = environment.env;
    const cwd = environment.cwd;
    const target = options.target ?? env.RMH_TARGET ?? 'embedded';
    const profile = options.profile ?? env.RMH_PROFILE;
    const outDir = resolve(cwd, options.out ?? env.RMH_OUT ?? 'reports/out');
    const allowUnavailable = options.allowUnavailable ?? bool(env.RMH_ALLOW_UNAVAILABLE);
    const noAgent = options.noAgent ?? 'include';
    const dryRun = options.dryRun ?? process.argv.some((a) => a === '--dry-run' || a === '-d');
    const write = (line: string): void => {
      environment.stderr.write(`${line}\n`);
    };
    // Read now: a malformed ledger stops the run before anything runs.
    let ledger: Ledger;
    try {
      ledger = ledgerForTarget(target, profile ? resolve(cwd, profile) : undefined, join(cwd, 'steps/targets/ledgers'));
    } catch (e) {
      if (e instanceof LedgerError) throw new LoadError('LEDGER_INVALID', e.message);
      throw e;
    }
    if (!dryRun && options.clean !== false) cleanOutDir(outDir);

    const envelopes: Envelope[] = [];
    const pickleUris = new Map<string, string>(); // all loaded pickles: id → uri
    let selected = 0;
    on('message', (e) => {
      envelopes.push(e);
      if (e.pickle) pickleUris.set(e.pickle.id, e.pickle.uri);
    });

    transform('pickles:filter', (pickles: readonly IFilterablePickle[]) => {
      const areas = featureAreas(cwd);
      // Every loaded scenario, not only the selected ones: a misspelt tag elsewhere is still a mistake.
      const loaded = envelopes.flatMap((e) => (e.pickle ? [e.pickle] : []));
      const problems = tagProblems(scenariosOf(envelopes), areas);
      // Every ledger entry must name exactly one loaded agent scenario (an outline row by its example).
      const docs = new Map(envelopes.flatMap((e) => (e.gherkinDocument?.uri ? [[e.gherkinDocument.uri, exampleRows(e.gherkinDocument)] as const] : [])));
      const scenarios = loaded
        .filter((p) => !p.tags.some((t) => t.name === NO_AGENT_TAG))
        .map((p) => {
          const example = exampleOf(p, docs.get(p.uri) ?? new Map());
          return { baseId: `${featurePath(p.uri)}::${p.name}`, ...(example ? { example } : {}) };
        });
      const check = checkLedgerAgainstScenarios(ledger, scenarios);
      for (const a of check.ambiguous) {
        problems.push(`${ledger.file}: the entry "${entryKey(a.entry)}" names ${a.count} scenarios (an outline's rows): add example: { <column>: <value> } to name one row`);
      }
      if (problems.length > 0) {
        throw new LoadError('SCENARIOS_INVALID', `${problems.length === 1 ? 'a problem' : `${problems.length} problems`} in the scenarios, found before anything ran:\n${problems.map((p) => `  ${p}`).join('\n')}`);
      }
      selected = pickles.length;
      const kept = noAgent === 'include' ? pickles : pickles.filter((p) => p.pickle.tags.some((t) => t.name === NO_AGENT_TAG) === (noAgent === 'only'));
      // A zoo variant runs only the scenarios that could catch it (steps/targets/zoo/judge.ts couldCatch).
      const variant = zooVariantOf(target);
      return variant ? kept.filter((p) => couldCatch(variant, p.pickle.steps.map((st) => st.text))) : kept;
    });

    return async () => {
      if (dryRun) return;
      const onDisk = globSync('features/**/*.feature', { cwd }).map((f) => f.split('\\').join('/'));
      const loadedDocs = new Set(envelopes.flatMap((e) => (e.gherkinDocument?.uri ? [e.gherkinDocument.uri.replace(/^\.\//, '')] : [])));
      // Full suite: every feature file loaded and no scenario left out by --tags / --name.
      const fullSuite = selected === pickleUris.size && onDisk.every((f) => loadedDocs.has(f));
      const judged = computeVerdicts(target, envelopes, ledger);
      // In part of the suite, an entry for a feature that wasn't loaded says nothing; one for a loaded
      // feature that names no scenario of it is stale whatever the selection.
      const unmatched = fullSuite ? judged.unmatchedLedgerEntries : judged.unmatchedLedgerEntries.filter((e) => loadedDocs.has(`features/${e.scenario.slice(0, e.scenario.indexOf('::'))}`));
      const startedAt = Date.now();
      const agentVerdicts = judged.verdicts.filter((v) => !v.noAgent);
      const simVerdicts = judged.verdicts.filter((v) => v.noAgent);
      const reportsOf = (name: string): TargetRun['reports'] => {
        const r: NonNullable<TargetRun['reports']> = {};
        for (const [k, f] of [
          ['html', 'cucumber.html'],
          ['messages', 'messages.ndjson'],
        ] as const) {
          if (globSync(f, { cwd: join(outDir, name) }).length > 0) r[k] = relative(outDir, join(outDir, name, f));
        }
        return r;
      };
      if (noAgent !== 'only') {
        const own = judgeRun({
          targets: [{ target, verdicts: agentVerdicts, unmatchedLedgerEntries: unmatched, hookFailures: judged.hookFailures }],
          simulators: [],
          fullSuite,
          allowUnavailable,
        });
        writeBucket(
          outDir,
          {
            name: target,
            verdicts: agentVerdicts,
            traces: judged.traces,
            files: judged.files,
            unmatchedLedgerEntries: unmatched,
            reports: reportsOf(target),
            judgement: { problems: own.runProblems, notes: own.notes },
            hookFailures: judged.hookFailures,
            fullSuite,
            startedAt,
          },
          write,
        );
      }
      if (simVerdicts.length > 0 || noAgent === 'only') {
        const own = judgeRun({ targets: [], simulators: simVerdicts, fullSuite, allowUnavailable });
        const problems = own.runProblems.filter((p) => !p.startsWith('nothing was checked') || simVerdicts.length > 0);
        writeBucket(
          outDir,
          { name: SIMULATORS, verdicts: simVerdicts, traces: judged.traces, files: judged.files, reports: reportsOf(SIMULATORS), judgement: { problems, notes: own.notes }, fullSuite, startedAt: startedAt + 1 },
          write,
        );
      }

      const runs = readRuns(outDir);
      const judgement = judgeParts(runs, { fullSuite: runs.every((r) => r.fullSuite !== false), allowUnavailable });
      // Wall-clock time of the report only; nothing under test reads it.
      writeMatrix(outDir, new Date().toISOString(), judgement);
      await writeCatalogue(outDir);
      if (options.summary !== false) {
        write('');
        write(`radius-mfa-harness verdicts (${target}):`);
        for (const line of summaryLines(runs, judgement)) write(line);
        for (const p of judgement.problems) write(`  RUN FAILS: ${p}`);
        write(`  reports: ${relative(cwd, outDir).startsWith('..') ? outDir : relative(cwd, outDir) || '.'}/matrix.html; per target: <target>/junit.xml, verdicts.json, scenarios/`);
      }
      if (options.exitCode !== false && judgement.exitCode !== 0) {
        // Cucumber sets its exit code after the run; this runs later, at exit, and only ever raises it.
        process.once('exit', () => {
          process.exitCode = Math.max(Number(process.exitCode ?? 0) || 0, judgement.exitCode);
        });
      }
    };
  },
};

async function writeCatalogue(outDir: string): Promise<void> {
  // The step catalogue beside the matrix, so QA browsing a run can see what they may write next.
  const { catalogue } = await import('../steps/support/catalogue.ts');
  const entries = catalogue();
  if (entries.length === 0) return;
  const { renderCataloguePage } = await import('./catalogue-page.ts');
  writeFileSync(join(outDir, 'steps.html'), renderCataloguePage(entries));
}

export default plugin;
