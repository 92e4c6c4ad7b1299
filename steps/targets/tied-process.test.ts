import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { spawnTied, stopTied } from './tied-process.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  for (let waited = 0; waited < withinMs; waited += 20) {
    if (!alive(pid)) return true;
    await sleep(20);
  }
  return !alive(pid);
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  const rl = createInterface({ input: stream });
  const [line] = (await once(rl, 'line')) as [string];
  rl.close();
  return line;
}

test('the exit status of the tied command is the child\'s', async () => {
  const child = spawnTied('/bin/sh', ['-c', 'exit 3']);
  const [code] = await once(child, 'exit');
  assert.equal(code, 3);
});

test('stopTied ends the command (SIGTERM through the pipe)', async () => {
  const child = spawnTied('/bin/sh', ['-c', 'echo $$; exec sleep 30']);
  const pid = Number(await firstLine(child.stdout!));
  assert.ok(alive(pid));
  await stopTied(child, 3000);
  assert.ok(await gone(pid, 2000));
});

test('the command dies with its parent, even when the parent is SIGKILLed', async () => {
  const module = fileURLToPath(new URL('./tied-process.ts', import.meta.url));
  const parent = spawn(
    process.execPath,
    ['--input-type=module', '-e', `const { spawnTied } = await import(${JSON.stringify(module)}); const c = spawnTied('/bin/sh', ['-c', 'echo $$; exec sleep 30']); c.stdout.pipe(process.stdout); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pid = Number(await firstLine(parent.stdout!));
  assert.ok(alive(pid));
  parent.kill('SIGKILL');
  await once(parent, 'exit');
  assert.ok(await gone(pid, 3000), 'the tied command outlived its killed parent');
});
