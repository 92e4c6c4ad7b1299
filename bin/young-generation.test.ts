/**
 * The agent's launcher starts V8 with a smaller young generation (young-generation.js):
 * it re-executes itself once with --max-semi-space-size (same process id), leaves an
 * operator's own flag alone, can be turned off, and refuses a bad setting with exit 2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'rmh-young-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const script = join(dir, 'probe.mjs');
writeFileSync(
  script,
  `const pid = process.pid;
const { startWithSmallYoungGeneration } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'young-generation.js')).href)});
startWithSmallYoungGeneration();
console.log(JSON.stringify({ execArgv: process.execArgv, pid, args: process.argv.slice(2) }));
`,
);

function probe(env: Record<string, string | undefined>, nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, script, 'a', 'b'], { env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8' });
  return { status: r.status, pid: r.pid, out: r.stdout.trim() ? (JSON.parse(r.stdout.trim()) as { execArgv: string[]; pid: number; args: string[] }) : undefined, err: r.stderr };
}

describe('the agent launcher’s young generation', () => {
  it('starts V8 with 8-MiB semi-spaces by default, in the same process, with the same arguments', () => {
    const { status, out, pid } = probe({ RADIUS_MFA_AGENT_SEMI_SPACE_MB: undefined });
    assert.equal(status, 0);
    assert.equal(out?.pid, pid, 'execve: the process the caller started, not a child');
    assert.deepEqual(out?.execArgv, ['--max-semi-space-size=8']);
    assert.deepEqual(out?.args, ['a', 'b']);
  });

  it('takes the size from RADIUS_MFA_AGENT_SEMI_SPACE_MB; 0 leaves V8 alone; an operator flag wins', () => {
    assert.deepEqual(probe({ RADIUS_MFA_AGENT_SEMI_SPACE_MB: '4' }).out?.execArgv, ['--max-semi-space-size=4']);
    assert.deepEqual(probe({ RADIUS_MFA_AGENT_SEMI_SPACE_MB: '0' }).out?.execArgv, []);
    assert.deepEqual(probe({}, ['--max-semi-space-size=16']).out?.execArgv, ['--max-semi-space-size=16']);
    assert.deepEqual(probe({ NODE_OPTIONS: '--max-semi-space-size=16' }).out?.execArgv, []);
  });

  it('refuses a bad size with exit 2, naming the variable and the allowed values', () => {
    for (const bad of ['x', '-1', '65', '2.5']) {
      const { status, err } = probe({ RADIUS_MFA_AGENT_SEMI_SPACE_MB: bad });
      assert.equal(status, 2);
      assert.match(err, /RADIUS_MFA_AGENT_SEMI_SPACE_MB must be a whole number of MiB from 1 to 64, or 0/);
    }
  });
});
