/**
 * `radius-mfa-harness merge <shard folders…> --out <dir>`: one run from the
 * shards' output (reports/merge.ts): the matrix, one JUnit, the verdicts, every
 * trace and pcap, durations.json, the summary and one exit code — 0 only when
 * the joined run passes and no shard is missing or doubled.
 */
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { mergeShardDirs } from '../reports/merge.ts';
import { durationsOf } from './shard.ts';

export interface MergeOptions {
  out: string;
}

const EXIT_USAGE = 2;

export async function mergeCommand(dirs: string[], opts: MergeOptions): Promise<number> {
  const bad = dirs.filter((d) => !existsSync(d) || !statSync(d).isDirectory());
  if (dirs.length === 0 || bad.length > 0) {
    process.stderr.write(
      `radius-mfa-harness merge: ${dirs.length === 0 ? 'give the shard folders' : `no such folder: ${bad.join(', ')}`} (each the --out of one \`run --shard i/n\`), e.g. merge shards/* --out reports/out\n`,
    );
    return EXIT_USAGE;
  }
  const out = resolve(opts.out);
  if (dirs.some((d) => resolve(d) === out)) {
    process.stderr.write('radius-mfa-harness merge: --out must be a folder of its own, not one of the shard folders (it is cleared first).\n');
    return EXIT_USAGE;
  }
  // Wall-clock time of the report only; nothing under test reads it.
  const { judgement, runs, lines } = mergeShardDirs(dirs, out, new Date().toISOString(), (r) => durationsOf(r.flatMap((x) => x.verdicts)));
  const relOut = relative(process.cwd(), out);
  const rel = relOut === '' ? '.' : relOut.startsWith('..') ? out : relOut;
  process.stdout.write(`Merged ${dirs.length} shard folders: ${runs.map((r) => `${r.target} (${r.verdicts.length})`).join(', ')}\n`);
  for (const line of lines) process.stdout.write(`${line}\n`);
  process.stdout.write(`Reports: ${rel}/matrix.html, ${rel}/junit.xml, ${rel}/durations.json (commit it to keep shards even); per target: ${rel}/<name>/junit.xml, verdicts.json, scenarios/\n`);
  if (judgement.exitCode !== 0) {
    process.stdout.write('The run fails (exit 1):\n');
    for (const p of judgement.problems) process.stdout.write(`  ${p}\n`);
  }
  return judgement.exitCode;
}
