/**
 * The process target: the reference agent's own CLI (`bin/radius-mfa-agent.js
 * --config FILE`) as a child process, one per scenario — a real process
 * boundary, real sockets, its own clock. It talks to the lab's mock Okta over
 * HTTP (AgentSpec.okta.baseUrl). It can do everything the embedded agent can
 * except run on the lab's virtual clock, so `clock-control` scenarios are not
 * applicable; time-outs happen in real time.
 *
 * Started when its 'listening' and 'http listening' log lines appear (the ports
 * are chosen by the agent: port 0), stopped with SIGTERM (SIGKILL after 5 s).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentConfig } from './agent-config.ts';
import { AgentLog, type BoundPorts } from './agent-log.ts';
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
      const log = new AgentLog();
      if (child.stdout) log.follow(child.stdout);
      if (child.stderr) log.follow(child.stderr);
      child.once('error', (e) => log.end(`could not start (${e.message})`));
      // 'close', not 'exit': by then the last lines of output have been read.
      child.once('close', (code, signal) => log.end(`exited (${signal ?? `code ${code}`})`));
      let ports: BoundPorts;
      try {
        ports = await log.ports(START_TIMEOUT_MS, 'the agent process');
      } catch (e) {
        await terminate(child);
        throw e;
      }
      const { port, httpPort } = ports;
      return {
        endpoint: { host: '127.0.0.1', port },
        onVirtualClock: false,
        log: async () => log.text(),
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
