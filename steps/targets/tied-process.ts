/**
 * Child processes that never outlive the process that started them.
 *
 * A target's servers (FreeRADIUS, the agent's CLI) run in Cucumber workers, and
 * a worker can end without closing its target — or be killed outright. So each
 * server is started under a small shell that holds our end of a pipe on its
 * stdin: when that pipe closes (we stop it, we exit, or we are SIGKILLed and the
 * kernel closes it for us) the shell sends the server SIGTERM and reports its
 * exit status as its own. The shell leads its own process group, so a last
 * resort SIGKILL reaches the server too; an 'exit' hook does that for anything
 * still running when this process exits normally.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `read` waits on fd 3 (our pipe): a background job's stdin would be /dev/null.
const WRAPPER = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'pid=$!',
  '( read -r _ <&3; kill -TERM "$pid" 2>/dev/null ) &',
  'watcher=$!',
  'wait "$pid"',
  'status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join('\n');

const live = new Set<ChildProcess>();
const scratch = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of live) killGroup(c);
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * A new temporary directory for a tied process, removed by `removeScratch` or
 * when this process exits. Under RMH_SCRATCH_DIR when the runner sets it: Cucumber's
 * workers are threads that may be terminated without running exit hooks, and
 * the runner removes that whole directory at the end of the run.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(process.env.RMH_SCRATCH_DIR ?? tmpdir(), prefix));
  scratch.add(dir);
  hookExit();
  return dir;
}

/** Removes a scratch directory now. */
export function removeScratch(dir: string): void {
  scratch.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Spawns `command args` tied to this process. stdout/stderr are pipes; never write to stdin. */
export function spawnTied(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const child = spawn('/bin/sh', ['-c', WRAPPER, 'sh', command, ...args], {
    ...options,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  // EPIPE when the shell is already gone is expected; it must not crash us.
  child.stdin?.on('error', () => {});
  hookExit();
  return child;
}

/** Asks the tied process to stop (SIGTERM via the pipe), SIGKILLs its group after `timeoutMs`. */
export function stopTied(child: ChildProcess, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const kill = setTimeout(() => killGroup(child), timeoutMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.stdin?.end();
  });
}
