/**
 * The agent's launcher starts V8 with its heap flags (heap-flags.js): a smaller young
 * generation and a slower-growing old space. It re-executes itself once (same process
 * id), leaves an operator's own flags alone, each can be turned off, and a bad setting
 * is refused with exit 2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'rmh-heap-flags-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const script = join(dir, 'probe.mjs');
writeFileSync(
  script,
  `const pid = process.pid;
const { startWithAgentHeapFlags } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'heap-flags.js')).href)});
startWithAgentHeapFlags();
console.log(JSON.stringify({ execArgv: process.execArgv, pid, args: process.argv.slice(2) }));
`,
);

const UNSET = { RADIUS_MFA_AGENT_SEMI_SPACE_MB: undefined, RADIUS_MFA_AGENT_HEAP_GROWTH_PERCENT: undefined };

function probe(env: Record<string, string | undefined>, nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, script, 'a', 'b'], { env: { ...process.env, NODE_OPTIONS: '', ...UNSET, ...env }, encoding: 'utf8' });
  return { status: r.status, pid: r.pid, out: r.stdout.trim() ? (JSON.parse(r.stdout.trim()) as { execArgv: string[]; pid: number; args: string[] }) : undefined, err: r.stderr };
}

describe('the agent launcher’s heap flags', () => {
  it('starts V8 with 8-MiB semi-spaces and 20 % old-space growth by default, in the same process, with the same arguments', () => {
    const { status, out, pid } = probe({});
    assert.equal(status, 0);
    assert.equal(out?.pid, pid, 'execve: the process the caller started, not a child');
    assert.deepEqual(out?.execArgv, ['--max-semi-space-size=8', '--heap-growing-percent=20']);
    assert.deepEqual(out?.args, ['a', 'b']);
  });

  it('takes the semi-space size from RADIUS_MFA_AGENT_SEMI_SPACE_MB; 0 leaves V8 alone; an operator flag wins', () => {
    assert.deepEqual(probe({ RADIUS_MFA_AGENT_SEMI_SPACE_MB: '4' }).out?.execArgv, ['--max-semi-space-size=4', '--heap-growing-percent=20']);
    assert.deepEqual(probe({ RADIUS_MFA_AGENT_SEMI_SPACE_MB: '0' }).out?.execArgv, ['--heap-growing-percent=20']);
    assert.deepEqual(probe({}, ['--max-semi-space-size=16']).out?.execArgv, ['--heap-growing-percent=20', '--max-semi-space-size=16']);
    assert.deepEqual(probe({ NODE_OPTIONS: '--max-semi-space-size=16' }).out?.execArgv, ['--heap-growing-percent=20']);
  });

  it('takes the growth from RADIUS_MFA_AGENT_HEAP_GROWTH_PERCENT; 0 leaves V8 alone; an operator flag wins', () => {
    assert.deepEqual(probe({ RADIUS_MFA_AGENT_HEAP_GROWTH_PERCENT: '50' }).out?.execArgv, ['--max-semi-space-size=8', '--heap-growing-percent=50']);
    assert.deepEqual(probe({ RADIUS_MFA_AGENT_HEAP_GROWTH_PERCENT: '0' }).out?.execArgv, ['--max-semi-space-size=8']);
    assert.deepEqual(probe({}, ['--heap-growing-percent=35']).out?.execArgv, ['--max-semi-space-size=8', '--heap-growing-percent=35']);
    assert.deepEqual(probe({ RADIUS_MFA_AGENT_SEMI_SPACE_MB: '0', RADIUS_MFA_AGENT_HEAP_GROWTH_PERCENT: '0' }).out?.execArgv, [], 'both off: no re-execution');
  });

  it('refuses a bad setting with exit 2, naming the variable and the allowed values', () => {
    for (const bad of ['x', '-1', '65', '2.5']) {
      const { status, err } = probe({ RADIUS_MFA_AGENT_SEMI_SPACE_MB: bad });
      assert.equal(status, 2);
      assert.match(err, /RADIUS_MFA_AGENT_SEMI_SPACE_MB must be a whole number of MiB from 1 to 64, or 0/);
    }
    for (const bad of ['x', '-5', '101', '12.5']) {
      const { status, err } = probe({ RADIUS_MFA_AGENT_HEAP_GROWTH_PERCENT: bad });
      assert.equal(status, 2);
      assert.match(err, /RADIUS_MFA_AGENT_HEAP_GROWTH_PERCENT must be a whole number of per cent from 1 to 100, or 0/);
    }
  });
});
