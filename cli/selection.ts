/**
 * What `radius-mfa-harness run` selects, checked before anything loads so a
 * mistake is one line and exit 2 (never a stack trace): feature paths and
 * `file:line` like cucumber-js, the --tags expression's syntax, the --name
 * regular expression, the last run's failures (--rerun), and a shard's
 * scenarios (--shard, cli/shard.ts). Pure but for reading the file system.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import parseTagExpression from '@cucumber/tag-expressions';
import { CodedError } from '../agent/src/errors.ts';
import type { TargetRun } from '../reports/matrix.ts';
import { type Durations, type ShardSpec, shardSelection } from './shard.ts';

/** `features/x.feature`, `features/x.feature:12`, `features/x.feature:12:30` or a folder; returned relative to cwd, as Cucumber takes them. */
export function featurePathArgs(args: readonly string[], cwd: string): string[] {
  return args.map((arg) => {
    const m = /^(.*?)((?::\d+)*)$/.exec(arg)!;
    const path = m[1]!;
    const lines = m[2]!;
    const abs = resolve(cwd, path);
    if (!existsSync(abs)) {
      throw new CodedError('RUN_BAD_PATH', `${path}: no such feature file or folder. Give feature files or folders under features/, optionally with :line (e.g. features/factors/push.feature:11).`);
    }
    const isDir = statSync(abs).isDirectory();
    if (!isDir && !abs.endsWith('.feature')) throw new CodedError('RUN_BAD_PATH', `${path}: not a .feature file. Give feature files or folders, optionally with :line.`);
    if (isDir && lines) throw new CodedError('RUN_BAD_PATH', `${arg}: a line number needs a feature file, not a folder.`);
    if (lines) {
      const count = readFileSync(abs, 'utf8').split('\n').length;
      const bad = lines
        .split(':')
        .filter(Boolean)
        .map(Number)
        .filter((n) => n < 1 || n > count);
      if (bad.length > 0) throw new CodedError('RUN_BAD_PATH', `${arg}: ${path} has ${count} lines, so line ${bad[0]} names nothing. Use the line of a Scenario, or of an Examples row.`);
    }
    const rel = relative(cwd, abs) || '.';
    return `${isAbsolute(rel) ? abs : rel}${lines}`;
  });
}

/** A --tags expression Cucumber can parse, or one line saying what is wrong. */
export function checkTagSyntax(expression: string | undefined): void {
  if (expression === undefined) return;
  try {
    parseTagExpression(expression);
  } catch (e) {
    const why = (e as Error).message.split('\n')[0]!.replace(/^Tag expression "[^"]*" could not be parsed because of syntax error: /, '').replace(/\.$/, '');
    throw new CodedError('RUN_BAD_TAGS', `--tags "${expression}" is not a tag expression (${why}). Write tags joined by and / or / not, with parentheses, e.g. --tags '@area:factors and not @slow'.`);
  }
}

/** A --name regular expression JavaScript accepts, or one line saying what is wrong. */
export function checkNamePattern(name: string | undefined): void {
  if (name === undefined) return;
  try {
    new RegExp(name);
  } catch (e) {
    const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
    throw new CodedError('RUN_BAD_NAME', `--name "${name}" is not a regular expression (${why}). Escape ( ) [ ] ? * + with \\, or give a plain part of the scenario's name.`);
  }
}

/** The scenarios that failed or passed unexpectedly in a previous run's output, as `uri:line` (one per scenario, in file order). */
export function failedPaths(runs: readonly TargetRun[]): string[] {
  const seen = new Map<string, { uri: string; line: number }>();
  for (const r of runs) {
    for (const v of r.verdicts) {
      if (v.verdict === 'fail' || v.verdict === 'unexpected-pass') seen.set(`${v.uri}:${v.line}`, { uri: v.uri, line: v.line });
    }
  }
  return [...seen.values()].sort((a, b) => a.uri.localeCompare(b.uri) || a.line - b.line).map((s) => `${s.uri}:${s.line}`);
}

/** The `uri:line` paths of shard `spec` of the scenarios a selection picked. */
export function shardPaths(scenarios: readonly { id: string; uri: string; line: number }[], durations: Durations, spec: ShardSpec): string[] {
  return shardSelection(scenarios, durations, spec).map((s) => `${s.uri}:${s.line}`);
}
