/**
 * The process target: the reference agent's own CLI (`bin/radius-mfa-agent.js
 * --config FILE`) as a child process, one per scenario — a real process
 * boundary, real sockets, its own clock. It talks to the lab's mock Okta over
 * HTTP (AgentSpec.okta.baseUrl). It can do everything the embedded agent can
 * except run on the lab's virtual clock, so `clock-control` scenarios are not
 * applicable; time-outs happen in real time.
 *
 * Started when its 'listening' log line appears (the port is chosen by the
 * agent: port 0), stopped with SIGTERM (SIGKILL after 5 s).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { agentConfig, parseLogLine } from './agent-config.ts';
import { removeScratch, scratchDir, spawnTied, stopTied } from './tied-process.ts';
import { type AgentSpec, type AgentUnderTest, REAL_TIME_AGENT_CAPABILITIES, type TargetDriver, type TargetProfile, TargetUnavailable } from './target.ts';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const AGENT_BIN = join(REPO, 'bin', 'radius-mfa-agent.js');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

export const processProfile: TargetProfile = {
  name: 'process',
  description: 'The reference agent as a child process (its CLI and YAML config), mock Okta over HTTP, real time.',
  capabilities: new Set(REAL_TIME_AGENT_CAPABILITIES),
};

/** What a starting agent said last: enough to explain a failed start, never the whole log. */
class Tail {
  readonly lines: string[] = [];
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 40) this.lines.shift();
  }
  summary(): string {
    const first = this.lines.findIndex((l) => /error|fatal|invalid|EADDRINUSE/i.test(l));
    const shown = first >= 0 ? this.lines.slice(first, first + 4) : this.lines.slice(-3);
    return shown.map((l) => l.trim()).join(' | ').slice(0, 600) || '(no output)';
  }
}

export interface StartedAgent {
  child: ChildProcess;
  port: number;
  httpPort?: number;
  stop(): Promise<void>;
}

/** Waits for the agent's 'listening' (and, if configured, 'http listening') lines. */
export function awaitListening(child: ChildProcess, wantHttp: boolean, what: string, timeoutMs = START_TIMEOUT_MS): Promise<{ port: number; httpPort?: number }> {
  const tail = new Tail();
  return new Promise((resolvePromise, reject) => {
    let port: number | undefined;
    let httpPort: number | undefined;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolvePromise(httpPort === undefined ? { port: port! } : { port: port!, httpPort });
    };
    const timer = setTimeout(() => finish(new Error(`${what} did not log 'listening' within ${timeoutMs / 1000} s: ${tail.summary()}`)), timeoutMs);
    const onLine = (line: string): void => {
      tail.push(line);
      const entry = parseLogLine(line);
      if (entry?.msg === 'listening' && typeof entry.port === 'number') port ??= entry.port;
      if (entry?.msg === 'http listening' && typeof entry.port === 'number') httpPort = entry.port;
      if (port !== undefined && (!wantHttp || httpPort !== undefined)) finish();
    };
    // Both streams are read to the end: an unread pipe would block the agent once full.
    if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
    if (child.stderr) createInterface({ input: child.stderr }).on('line', (l) => tail.push(l));
    child.once('error', (e) => finish(new Error(`${what} could not start: ${e.message}`)));
    // 'close', not 'exit': by then the last lines of output have been read.
    child.once('close', (code, signal) => finish(new Error(`${what} exited (${signal ?? `code ${code}`}) before listening: ${tail.summary()}`)));
  });
}

/** SIGTERM, then SIGKILL if it lingers; resolves when the process is gone. */
export function terminate(child: ChildProcess, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  return stopTied(child, timeoutMs);
}

export async function createTarget(): Promise<TargetDriver> {
  if (!existsSync(AGENT_BIN)) throw new TargetUnavailable(`the agent CLI ${AGENT_BIN} is missing`);
  const running = new Set<ChildProcess>();
  return {
    profile: processProfile,
    async start(spec: AgentSpec): Promise<AgentUnderTest> {
      const { yaml, env } = agentConfig(spec, { listen: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } });
      const dir = scratchDir('rmh-process-');
      const file = join(dir, 'agent.yaml');
      writeFileSync(file, yaml, { mode: 0o600 });
      // Tied to this process: a Cucumber worker that ends without closing its target leaves no agent behind.
      const child = spawnTied(process.execPath, [AGENT_BIN, '--config', file], { cwd: REPO, env: { ...process.env, ...env } });
      running.add(child);
      child.once('exit', () => {
        running.delete(child);
        removeScratch(dir);
      });
      let listening: { port: number; httpPort?: number };
      try {
        listening = await awaitListening(child, true, 'the agent process');
      } catch (e) {
        await terminate(child);
        throw e;
      }
      const { port, httpPort } = listening;
      return {
        endpoint: { host: '127.0.0.1', port },
        onVirtualClock: false,
        async metrics() {
          const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(5000) });
          return res.text();
        },
        stop: () => terminate(child),
      };
    },
    async close(): Promise<void> {
      await Promise.all([...running].map((c) => terminate(c)));
    },
  };
}
