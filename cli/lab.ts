// `radius-mfa-harness lab --seed FILE [--host ADDR] [--clock real-time|virtual] [--tls-dir DIR]
// [--write-agent-config FILE]`: the simulated world as real servers. Prints the endpoints as one
// JSON line on stdout (so a script can read it with `head -1`), runs until SIGINT/SIGTERM, then
// stops every server and exits 0. A bad seed or option is one line on stderr and exit 2; servers
// that cannot start: one line and exit 1, with nothing left running.
import { CodedError, isCodedError } from '../agent/src/errors.ts';
import { CLOCK_KINDS, type ClockKind } from '../simulators/clock/lab-clock.ts';
import { writeAgentConfig } from '../simulators/lab/agent-config.ts';
import { Lab, type LabEndpoints } from '../simulators/lab/lab.ts';

export interface LabCommandOptions {
  seed: string;
  host: string;
  /** real-time (default) or virtual. */
  clock?: string;
  /** Keep the HTTPS CA here (reused across restarts); default: a temporary folder. */
  tlsDir?: string;
  /** commander's --no-https. */
  https?: boolean;
  /** Write a reference-agent config for this lab to this file. */
  writeAgentConfig?: string;
  /** host:port the written agent config listens on (default 127.0.0.1:1812). */
  agentListen?: string;
  /** Fixed ports: Okta HTTP = N, Okta HTTPS = N+1, LDAP = N+2, control = N+3 (default: any free ports). */
  portBase?: string;
}

export async function labCommand(opts: LabCommandOptions): Promise<number> {
  let clockKind: ClockKind;
  let agentListen: { host: string; port: number } | undefined;
  let ports: { okta: number; oktaHttps: number; ldap: number; control: number } | undefined;
  try {
    clockKind = parseClock(opts.clock ?? 'real-time');
    if (opts.agentListen !== undefined) agentListen = parseListen(opts.agentListen);
    if (opts.portBase !== undefined) ports = parsePortBase(opts.portBase);
  } catch (e) {
    return fail(e, 2);
  }
  let lab: Lab;
  try {
    lab = await Lab.fromFile(opts.seed, { clockKind });
  } catch (e) {
    return fail(e, 2);
  }
  let endpoints: LabEndpoints;
  try {
    endpoints = await lab.start({
      host: opts.host,
      tls: opts.https === false ? false : opts.tlsDir ? { dir: opts.tlsDir } : {},
      ...(ports ? { ports } : {}),
    });
  } catch (e) {
    return fail(e, 1);
  }
  if (opts.writeAgentConfig) {
    try {
      await writeAgentConfig(opts.writeAgentConfig, lab, endpoints, agentListen ? { listen: agentListen } : {});
    } catch (e) {
      await lab.stop();
      return fail(new CodedError('LAB_AGENT_CONFIG_UNWRITABLE', `Cannot write the agent config ${opts.writeAgentConfig}: ${(e as Error).message}.`), 1);
    }
  }
  // Listen before printing: whoever reads the line may signal at once.
  const signalled = waitForSignal();
  const line = { ...endpoints, ...(opts.writeAgentConfig ? { agentConfig: opts.writeAgentConfig } : {}) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  const signal = await signalled;
  process.stderr.write(`radius-mfa-harness lab: ${signal}, stopping\n`);
  await lab.stop();
  return 0;
}

function parseClock(text: string): ClockKind {
  if ((CLOCK_KINDS as readonly string[]).includes(text)) return text as ClockKind;
  throw new CodedError('LAB_BAD_OPTION', `--clock must be ${CLOCK_KINDS.join(' or ')}, not "${text}".`);
}

function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port < 1 || port > 65535) {
    throw new CodedError('LAB_BAD_OPTION', `--agent-listen must be HOST:PORT (e.g. 127.0.0.1:1812 or [::1]:1812), not "${text}".`);
  }
  return { host: (m[1] ?? m[2])!, port };
}

function parsePortBase(text: string): { okta: number; oktaHttps: number; ldap: number; control: number } {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n < 1024 || n > 65532) {
    throw new CodedError('LAB_BAD_OPTION', `--port-base must be a port from 1024 to 65532 (the lab uses it and the next three), not "${text}".`);
  }
  return { okta: n, oktaHttps: n + 1, ldap: n + 2, control: n + 3 };
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function fail(e: unknown, exitCode: number): number {
  const text = isCodedError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
  // One line, whatever the message held.
  process.stderr.write(`radius-mfa-harness lab: ${text.replace(/\s*\n\s*/g, ' ')}\n`);
  return exitCode;
}
