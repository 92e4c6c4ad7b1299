/**
 * The external target: an agent someone else runs (a real Okta RADIUS agent
 * wired to a test org, another vendor's server), reached at host:port with a
 * shared secret. Everything about it comes from a profile file (--profile, or
 * RMH_PROFILE in Cucumber workers), which also declares what the suite can do
 * with it — usually little: no mock Okta, no push control, no virtual clock.
 *
 *   name: my-agent                  # reported as external:my-agent
 *   description: Okta RADIUS agent 3.x on the test VM
 *   host: 192.0.2.10
 *   port: 1812
 *   secretEnv: MY_AGENT_SECRET      # or `secret:` (keep real secrets out of git)
 *   capabilities: [message-authenticator, proxy-state, status-server]
 *   probe: status-server            # or access-request / none; default by capabilities
 *   probeTimeoutMs: 3000
 *   probeSource: 127.0.0.2          # source address the agent knows as a client
 *   ledger: ledgers/my-agent.yaml   # known deviations (relative to this file)
 *
 * Before the run the target is probed with a bounded timeout; nothing
 * answering is a TargetUnavailable with one clear line, never a hang. Each cause
 * has a stable code (TargetUnavailable.causeCode, also the line's prefix) and a
 * hint: EXTERNAL_PROFILE_MISSING, EXTERNAL_PROFILE_INVALID,
 * EXTERNAL_SECRET_MISSING, EXTERNAL_NOTHING_LISTENS (port unreachable),
 * EXTERNAL_NO_REPLY (silence: down, or dropping us for the secret or the source
 * address), EXTERNAL_WRONG_SECRET (replies that don't verify), EXTERNAL_UNREACHABLE.
 * An IPv6 host (e.g. ::1) is probed over udp6 from the OS's own source address.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { CodedError } from '../../agent/src/errors.ts';
import type { TargetOptions } from './index.ts';
import { type ProbeKind, probeRadius } from './radius-probe.ts';
import { type AgentUnderTest, CAPABILITIES, type Capability, type TargetDriver, type TargetProfile, TargetUnavailable } from './target.ts';

const profileSchema = z
  .object({
    name: z.string().trim().min(1).regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash or underscore'),
    description: z.string().optional(),
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65535),
    secret: z.string().min(1).optional(),
    secretEnv: z.string().min(1).optional(),
    capabilities: z.array(z.enum(CAPABILITIES)).default([]),
    probe: z.enum(['status-server', 'access-request', 'none']).optional(),
    probeTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
    probeSource: z.string().optional(),
    ledger: z.string().optional(),
  })
  .strict();

export interface ExternalProfile {
  file: string;
  name: string;
  description: string;
  host: string;
  port: number;
  secret: string;
  capabilities: Capability[];
  probe: ProbeKind | 'none';
  probeTimeoutMs: number;
  probeSource?: string;
  /** Absolute path of the ledger file, when the profile names one. */
  ledger?: string;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1';
}

/** Reads and checks a profile file; errors name the file and the field and say what to do. */
export function readExternalProfile(file: string, env: NodeJS.ProcessEnv = process.env): ExternalProfile {
  const invalid = (message: string): CodedError => new CodedError('EXTERNAL_PROFILE_INVALID', message, { file });
  if (!existsSync(file)) throw invalid(`external target profile ${file} does not exist (copy steps/targets/profiles/example-okta-agent.yaml and edit it)`);
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) throw invalid(`${file}: not valid YAML: ${doc.errors[0]!.message}`);
  const parsed = profileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(`${file}: ${issue.path.join('.') || 'profile'}: ${issue.message}`);
  }
  const p = parsed.data;
  let secret = p.secret;
  if (p.secretEnv !== undefined) {
    secret = env[p.secretEnv];
    if (!secret) {
      throw new CodedError('EXTERNAL_SECRET_MISSING', `${file}: secretEnv names ${p.secretEnv}, but that environment variable is empty; export it before the run`, {
        file,
        variable: p.secretEnv,
      });
    }
  }
  if (!secret) {
    throw new CodedError('EXTERNAL_SECRET_MISSING', `${file}: give the agent's shared secret as secretEnv (an environment variable's name) or secret`, { file });
  }
  const probe = p.probe ?? (p.capabilities.includes('status-server') ? 'status-server' : 'access-request');
  const out: ExternalProfile = {
    file,
    name: p.name,
    description: p.description ?? `An agent at ${p.host}:${p.port} (profile ${file})`,
    host: p.host,
    port: p.port,
    secret,
    capabilities: p.capabilities,
    probe,
    probeTimeoutMs: p.probeTimeoutMs,
  };
  // The lab's AD Connector sends from 127.0.0.2; probe from there too so a loopback agent knows us.
  const source = p.probeSource ?? (isLoopback(p.host) && p.host !== '::1' ? '127.0.0.2' : undefined);
  if (source !== undefined) out.probeSource = source;
  if (p.ledger !== undefined) out.ledger = isAbsolute(p.ledger) ? p.ledger : resolve(dirname(file), p.ledger);
  return out;
}

/** What to do when the probe fails, by cause. */
const PROBE_FAILURE = {
  refused: { code: 'EXTERNAL_NOTHING_LISTENS', hint: 'start the agent, or check host and port in the profile' },
  silent: {
    code: 'EXTERNAL_NO_REPLY',
    hint: "check the secret and the agent's client list (is it running, and does it accept requests from the probe's source address?)",
  },
  'bad-secret': { code: 'EXTERNAL_WRONG_SECRET', hint: "check the secret and the agent's client list (the agent answers with another secret)" },
  error: { code: 'EXTERNAL_UNREACHABLE', hint: 'check host and port in the profile, and that this machine can reach the agent' },
} as const;

export async function createTarget(options: TargetOptions = {}): Promise<TargetDriver> {
  const file = options.profile ?? process.env.RMH_PROFILE;
  if (!file) {
    throw new TargetUnavailable('no profile for the external target', {
      causeCode: 'EXTERNAL_PROFILE_MISSING',
      hint: 'run with --profile FILE (host, port, secret, capabilities); see steps/targets/profiles/example-okta-agent.yaml',
    });
  }
  let profile: ExternalProfile;
  try {
    profile = readExternalProfile(resolve(file));
  } catch (e) {
    const code = e instanceof CodedError ? e.code : 'EXTERNAL_PROFILE_INVALID';
    throw new TargetUnavailable((e as Error).message, { causeCode: code });
  }
  if (profile.probe !== 'none') {
    const result = await probeRadius({
      host: profile.host,
      port: profile.port,
      secret: profile.secret,
      kind: profile.probe,
      timeoutMs: profile.probeTimeoutMs,
      ...(profile.probeSource ? { sourceAddress: profile.probeSource } : {}),
    });
    if (!result.ok) {
      const what = PROBE_FAILURE[result.cause];
      const from = profile.probeSource ? ` (probed from ${profile.probeSource})` : '';
      throw new TargetUnavailable(`${result.reason}${from}`, { causeCode: what.code, hint: what.hint });
    }
  }
  const targetProfile: TargetProfile = {
    name: `external:${profile.name}`,
    description: profile.description,
    capabilities: new Set(profile.capabilities),
  };
  return {
    profile: targetProfile,
    // The agent runs already; a scenario's wishes (mode, timeouts, clients) are the
    // operator's configuration, declared through the capabilities instead.
    async start(): Promise<AgentUnderTest> {
      return {
        endpoint: { host: profile.host, port: profile.port },
        secret: profile.secret,
        onVirtualClock: false,
        async stop() {},
      };
    },
    async close(): Promise<void> {},
  };
}
