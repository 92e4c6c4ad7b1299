/**
 * `npm run fuzz [-- --seconds 60] [--target radius-codec,agent-config] [--seed N] [--no-write]`
 *
 * Runs each fuzz target (fuzz/targets.ts) for a bounded time in a child
 * process of its own (a hang or a crash in one cannot take the others with
 * it; the parent kills a child that overruns by 60 s). New inputs that reach
 * new code go into fuzz/corpus/<target>/ (commit them); an input that ends in
 * an unexpected error goes into fuzz/findings/<target>/ and the run exits 1.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { type FuzzReport, fuzz } from './engine.ts';
import { allTargets } from './targets.ts';

const FUZZ_DIR = fileURLToPath(new URL('.', import.meta.url));
const NAMES = allTargets().map((t) => t.name);

const positive = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive number`);
  return n;
};

const program = new Command()
  .name('fuzz')
  .description('coverage-guided fuzzing of what parses untrusted input (corpus in fuzz/corpus/<target>/)')
  .option('--seconds <n>', 'time per target', positive('--seconds'), Number(process.env.RMH_FUZZ_SECONDS ?? 60))
  .option('--target <names>', `comma-separated, of: ${NAMES.join(', ')}`, NAMES.join(','))
  .option('--seed <n>', 'PRNG seed (default: from the clock)', positive('--seed'))
  .option('--no-write', 'do not add new inputs to the corpus')
  .option('--child <name>', '(internal) run one target in this process and print its report as JSON')
  .parse();
const opts = program.opts<{ seconds: number; target: string; seed?: number; write: boolean; child?: string }>();

if (opts.child) {
  const target = allTargets().find((t) => t.name === opts.child);
  if (!target) throw new Error(`unknown target ${opts.child}`);
  const report = await fuzz(target, {
    seconds: opts.seconds,
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    corpusDir: `${FUZZ_DIR}corpus/${target.name}`,
    writeCorpus: opts.write,
    findingsDir: `${FUZZ_DIR}findings/${target.name}`,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(`${JSON.stringify({ ...report, findings: report.findings.map((f) => ({ ...f, input: f.input.toString('base64') })) })}\n`);
  process.exit(0);
}

const selected = opts.target.split(',').map((s) => s.trim());
const unknown = selected.filter((n) => !NAMES.includes(n));
if (unknown.length > 0) {
  console.error(`fuzz: unknown target ${unknown.join(', ')}; use any of: ${NAMES.join(', ')}`);
  process.exit(2);
}

type ChildReport = Omit<FuzzReport, 'findings'> & { findings: Array<{ kind: string; summary: string; input: string }> };

function runChild(name: string): Promise<ChildReport | { target: string; crashed: string }> {
  return new Promise((resolve) => {
    const args = [fileURLToPath(import.meta.url), '--child', name, '--seconds', String(opts.seconds)];
    if (opts.seed !== undefined) args.push('--seed', String(opts.seed));
    if (!opts.write) args.push('--no-write');
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), (opts.seconds + 60) * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ChildReport);
      } catch {
        resolve({ target: name, crashed: `the fuzzing process ended (${signal ?? `code ${code}`}) without a report` });
      }
    });
  });
}

let failed = false;
const rows: string[] = [];
for (const name of selected) {
  const r = await runChild(name);
  if ('crashed' in r) {
    failed = true;
    rows.push(`${name}: CRASHED — ${r.crashed}`);
    continue;
  }
  if (r.findings.length > 0) failed = true;
  rows.push(
    `${name}: ${r.executions} runs in ${r.seconds.toFixed(0)} s (${Math.round(r.executions / r.seconds)}/s), ${r.blocks} blocks, corpus ${r.corpusStart} → ${r.corpusEnd} (+${r.newInputs} written), ${r.findings.length} findings${r.findings.map((f) => `\n    ${f.kind}: ${f.summary}`).join('')}`,
  );
}
console.log(`fuzz summary (${opts.seconds} s per target):\n  ${rows.join('\n  ')}`);
process.exit(failed ? 1 : 0);
