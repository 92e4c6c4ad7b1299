/**
 * Servers under test as child processes, and what they cost: CPU time of a
 * process group read from /proc (user + system, all threads), the machine's
 * load average, and a bounded run of the separate load-generator process.
 * CPU time per request is the figure that holds on a shared machine, where
 * requests per second move with whatever else runs.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseLogLine } from '../steps/targets/agent-config.ts';
import { freeradiusConfig } from '../steps/targets/freeradius.ts';
import { waitForRadius } from '../steps/targets/radius-probe.ts';
import { removeScratch, scratchDir, spawnTied, stopTied } from '../steps/targets/tied-process.ts';
import type { LoadChildResult, LoadChildSpec } from './loadgen-child.ts';

const REPO = new URL('..', import.meta.url).pathname;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** The 1-minute load average and the whole line, as /proc/loadavg has it. */
export function loadAverage(): { one: number; line: string } {
  try {
    const line = readFileSync('/proc/loadavg', 'utf8').trim();
    return { one: Number(line.split(' ')[0]), line };
  } catch {
    return { one: Number.NaN, line: 'unavailable' };
  }
}

/** User + system CPU milliseconds of every process in group `pgid` (a tied child leads its own group). */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) !== pgid) continue;
    ticks += Number(f[11]) + Number(f[12]);
  }
  return (ticks * 1000) / CLK_TCK;
}

/** Resident memory (KiB) of every process in group `pgid`. */
export function groupRssKiB(pgid: number): number {
  let kib = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) !== pgid) continue;
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+)/.exec(status);
      if (m) kib += Number(m[1]);
    } catch {
      // gone meanwhile
    }
  }
  return kib;
}

export interface RunningAgentProcess {
  port: number;
  /** The health/metrics listener's port, when the config has `http`. */
  httpPort: number | undefined;
  child: ChildProcess;
  pgid: number;
  /** Last log lines (bounded), for error messages. */
  tail: string[];
  stop(): Promise<void>;
}

/**
 * The reference agent's CLI with this configuration object (its YAML), on
 * 127.0.0.1 at a free port, logging at `info` to a pipe this process drains
 * (the decision line is part of what a request costs).
 */
export async function startAgentProcess(config: Record<string, unknown>, env: Record<string, string> = {}): Promise<RunningAgentProcess> {
  const dir = scratchDir('rmh-bench-agent-');
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, stringify(config), { mode: 0o600 });
  // RMH_BENCH_AGENT_NODE_OPTIONS: V8 / Node flags for the agent alone (e.g. a smaller young generation).
  const nodeOptions = process.env.RMH_BENCH_AGENT_NODE_OPTIONS;
  const child = spawnTied(process.execPath, [join(REPO, 'bin/radius-mfa-agent.js'), '--config', file], {
    cwd: REPO,
    env: { ...process.env, ...env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
  });
  const tail: string[] = [];
  const wantHttp = config.http !== undefined;
  let httpPort: number | undefined;
  let radiusPort: number | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the agent did not start within 15 s: ${tail.slice(-3).join(' | ')}`)), 15_000);
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (tail.length < 50) tail.push(line.slice(0, 300));
        const parsed = parseLogLine(line);
        if (parsed?.msg === 'http listening' && typeof parsed.port === 'number') httpPort = parsed.port;
        if (parsed?.msg === 'listening' && typeof parsed.port === 'number') radiusPort = parsed.port;
        if (radiusPort !== undefined && (!wantHttp || httpPort !== undefined)) {
          clearTimeout(timer);
          // From now on the lines are only drained (reading them costs this process, not the agent).
          child.stdout!.removeAllListeners('data');
          // RMH_BENCH_AGENT_LOG=FILE keeps the agent's log lines (to read its decisions after a run).
          const keep = process.env.RMH_BENCH_AGENT_LOG;
          if (keep) child.stdout!.pipe(createWriteStream(keep));
          else child.stdout!.on('data', () => {});
          resolve(radiusPort);
          return;
        }
      }
      if (buffered.length > 65_536) buffered = '';
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (tail.length < 50) tail.push(d.toString('utf8').slice(0, 300));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the agent exited with ${code}: ${tail.slice(-3).join(' | ')}`));
    });
  });
  return {
    port,
    httpPort,
    child,
    pgid: child.pid!,
    tail,
    async stop() {
      await stopTied(child, 3000);
      removeScratch(dir);
    },
  };
}

/** Runs bench/loadgen-child.ts once (its own process) and returns its result; killed after maxDurationMs + 20 s. */
export function runLoadProcess(spec: LoadChildSpec): Promise<LoadChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bench/loadgen-child.ts'), JSON.stringify(spec)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), spec.maxDurationMs + 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as LoadChildResult);
      } catch {
        reject(new Error(`the load generator exited ${code} without a result: ${err.slice(0, 500)}`));
      }
    });
  });
}

/** Sum of the agent's Okta call counts (radius_mfa_okta_request_duration_seconds_count, every operation and status). */
export async function oktaCallsOf(agent: RunningAgentProcess): Promise<number> {
  if (agent.httpPort === undefined) return Number.NaN;
  const text = await (await fetch(`http://127.0.0.1:${agent.httpPort}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('radius_mfa_okta_request_duration_seconds_count')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

export interface OktaChildProcess {
  info: import('./okta-child.ts').OktaChildInfo;
  pgid: number;
  stop(): Promise<void>;
}

/** The mock Okta org over HTTP in its own process group (bench/okta-child.ts). */
export async function startOktaChild(spec: import('./okta-child.ts').OktaChildSpec): Promise<OktaChildProcess> {
  const child = spawn(process.execPath, [join(REPO, 'bench/okta-child.ts'), JSON.stringify(spec)], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    if (err.length < 4096) err += d.toString('utf8');
  });
  const info = await new Promise<import('./okta-child.ts').OktaChildInfo>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the mock Okta did not start within 120 s: ${err.slice(0, 300)}`)), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, nl)));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the mock Okta exited ${code}: ${err.slice(0, 300)}`));
    });
  });
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  process.once('exit', () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  });
  return {
    info,
    pgid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.stdin.end();
      }),
  };
}

export interface PlainFreeradius {
  port: number;
  pgid: number;
  stop(): Promise<void>;
}

/**
 * Debian's FreeRADIUS with the files + PAP configuration only (the target's own
 * config without its per-request lab-password exec, which forks curl for each
 * request): the anchor the agent is measured against.
 */
export async function startPlainFreeradius(secret: string): Promise<PlainFreeradius> {
  const dir = scratchDir('rmh-bench-freeradius-');
  mkdirSync(join(dir, 'log'));
  mkdirSync(join(dir, 'run'));
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const { radiusd, users } = freeradiusConfig(dir, port, [{ name: 'bench', address: '127.0.0.1', secret, requireMessageAuthenticator: true }]);
  writeFileSync(join(dir, 'radiusd.conf'), radiusd, { mode: 0o600 });
  writeFileSync(join(dir, 'users'), users, { mode: 0o600 });
  const child = spawnTied(process.env.RMH_FREERADIUS_BIN ?? 'freeradius', ['-f', '-l', 'stdout', '-d', dir]);
  child.stdout!.resume();
  child.stderr!.resume();
  const up = await waitForRadius({
    host: '127.0.0.1',
    port,
    secret,
    kind: 'status-server',
    sourceAddress: '127.0.0.1',
    totalMs: 15_000,
    timeoutMs: 300,
    resendMs: 300,
    isAlive: () => child.exitCode === null,
  });
  const stop = async (): Promise<void> => {
    await stopTied(child, 3000);
    removeScratch(dir);
  };
  if (!up.ok) {
    await stop();
    throw new Error(`FreeRADIUS did not start: ${up.reason}`);
  }
  return { port, pgid: child.pid!, stop };
}
