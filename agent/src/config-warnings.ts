import { isIP } from 'node:net';
import type { AgentConfig } from './config.ts';
import { CodedError } from './errors.ts';
import { parseAddressBlock } from './transport/client-table.ts';

/**
 * Weak configuration is never silent. `assessConfig` looks at a validated
 * configuration and returns one finding per weakness, each with the config key,
 * why it is weak and what to do — never the secret itself (only its length).
 * The CLI logs every finding at start-up and refuses to start on the dangerous
 * ones unless the operator opted in (`allowInsecure` in the file, or
 * `--allow-insecure` on the command line). Pure: no I/O, no logger.
 *
 * Thresholds, and why:
 * - Shared secret shorter than 16 octets → warning. RFC 2865 §3: "It is preferred
 *   that the secret be at least 16 octets"; draft-ietf-radext-deprecating-radius
 *   §"Shared Secrets" (the BlastRADIUS follow-up) says implementations MUST warn at
 *   12 octets or less and administrators SHOULD use at least 24 random octets.
 * - 8 octets or fewer → refused. The same draft (§"All short Shared Secrets have
 *   been compromised"): "administrators SHOULD assume that any shared secret of 8
 *   characters or less has been compromised as soon as it is used" (its §"Cracking
 *   RADIUS shared secrets is not hard": one GPU searches the 8-character space in
 *   about 90 minutes). Anyone can reach AD Connector's own limit (8–512 characters)
 *   with a longer secret, so refusing costs a real deployment nothing.
 * - requireMessageAuthenticator: false → warning, not refused: whether AD
 *   Connector sends Message-Authenticator is not documented, so some deployments
 *   need it off; without it Access-Requests can be forged (BlastRADIUS,
 *   CVE-2024-3596; RFC 5080 §2.2.2; the draft's §"Servers and Access-Request").
 * - A client of 0.0.0.0/0 or ::/0 (any /0) → warning: any host that reaches the
 *   port may try the secret (Okta's own agent works that way, so not refused).
 * - http:// Okta URL → refused unless the host is loopback: the API token (SSWS)
 *   and users' passcodes would cross the network in clear text. On loopback
 *   (127.0.0.0/8, ::1, localhost) the traffic never leaves the host — a local
 *   mock org or a TLS-terminating proxy — so it is a warning only.
 * - /metrics on a non-loopback address → warning: the endpoint has no
 *   authentication and tells anyone who can reach it the apps, request rates and
 *   reject reasons (reconnaissance), so bind it to loopback or firewall it.
 */

/** What an operator may explicitly accept (config `allowInsecure`, CLI `--allow-insecure`). */
export const INSECURE_ALLOWANCES = ['http-okta', 'short-secret'] as const;
export type InsecureAllowance = (typeof INSECURE_ALLOWANCES)[number];

export type WeakConfigCheck = 'short-secret' | 'message-authenticator-off' | 'any-client' | 'http-okta' | 'metrics-exposed';

/** RFC 2865 §3 prefers at least 16 octets. */
export const RECOMMENDED_SECRET_OCTETS = 16;
/** At or below this many octets a secret is refused (assumed compromised on first use). */
export const REFUSED_SECRET_MAX_OCTETS = 8;

export interface ConfigFinding {
  check: WeakConfigCheck;
  /** warn: logged and started; refuse: start refused (unless allowed, then `allowedBy` is set and it is a warning). */
  severity: 'warn' | 'refuse';
  /** The allowance that turned a refusal into a warning. */
  allowedBy?: InsecureAllowance;
  /** The config key, as the config errors name keys: `apps[0].clients[1].secret`. */
  key: string;
  /** One line: what is weak, why, and what to do. Never contains a secret or the token. */
  message: string;
}

export function assessConfig(config: AgentConfig, allow: readonly InsecureAllowance[] = []): ConfigFinding[] {
  const allowed = new Set<InsecureAllowance>([...allow, ...(config.allowInsecure ?? [])]);
  const findings: ConfigFinding[] = [];
  const dangerous = (f: Omit<ConfigFinding, 'severity'>, allowance: InsecureAllowance): ConfigFinding =>
    allowed.has(allowance)
      ? { ...f, severity: 'warn', allowedBy: allowance, message: `${f.message} (started anyway: allowInsecure includes '${allowance}')` }
      : { ...f, severity: 'refuse', message: `${f.message} To accept the risk, add '${allowance}' to allowInsecure (or pass --allow-insecure ${allowance}).` };

  const org = new URL(config.okta.orgUrl);
  if (org.protocol === 'http:') {
    const base = {
      check: 'http-okta' as const,
      key: 'okta.orgUrl',
    };
    if (isLoopbackHost(org.hostname)) {
      findings.push({
        ...base,
        severity: 'warn',
        message: `okta.orgUrl is http:// (${org.host}): the API token and passcodes go unencrypted over loopback; use https:// for any Okta org that is not a local test or proxy.`,
      });
    } else {
      findings.push(
        dangerous(
          {
            ...base,
            message: `okta.orgUrl is http:// to ${org.host}, which is not loopback: the API token and users' passcodes would cross the network in clear text. Use https://.`,
          },
          'http-okta',
        ),
      );
    }
  }

  config.apps.forEach((app, i) => {
    app.clients.forEach((client, j) => {
      const where = `apps[${i}].clients[${j}]`;
      const who = `app '${app.name}', client '${client.name}'`;
      const octets = Buffer.byteLength(client.secret, 'utf8');
      const generate = 'generate one with `openssl rand -base64 24` and set it on both ends';
      if (octets <= REFUSED_SECRET_MAX_OCTETS) {
        findings.push(
          dangerous(
            {
              check: 'short-secret',
              key: `${where}.secret`,
              message: `${where}.secret (${who}) is ${octets} octets: secrets of ${REFUSED_SECRET_MAX_OCTETS} or fewer are cracked from one captured packet in hours (draft-ietf-radext-deprecating-radius); ${generate}.`,
            },
            'short-secret',
          ),
        );
      } else if (octets < RECOMMENDED_SECRET_OCTETS) {
        findings.push({
          check: 'short-secret',
          severity: 'warn',
          key: `${where}.secret`,
          message: `${where}.secret (${who}) is ${octets} octets, under the ${RECOMMENDED_SECRET_OCTETS} RFC 2865 §3 prefers: ${generate}.`,
        });
      }
      if (!client.requireMessageAuthenticator) {
        findings.push({
          check: 'message-authenticator-off',
          severity: 'warn',
          key: `${where}.requireMessageAuthenticator`,
          message: `${where}.requireMessageAuthenticator is false (${who}): Access-Requests without Message-Authenticator can be forged (BlastRADIUS, CVE-2024-3596); set it to true once the client sends Message-Authenticator.`,
        });
      }
      if (coversEveryAddress(client.address)) {
        findings.push({
          check: 'any-client',
          severity: 'warn',
          key: `${where}.address`,
          message: `${where}.address is ${client.address} (${who}): any host that reaches the port may try the shared secret; list the RADIUS clients' own addresses or their subnet.`,
        });
      }
    });
  });

  if (config.http && !isLoopbackHost(config.http.host)) {
    findings.push({
      check: 'metrics-exposed',
      severity: 'warn',
      key: 'http.host',
      message: `http.host is ${config.http.host}: /metrics and /healthz answer anyone who reaches port ${config.http.port} without authentication (apps, request rates, reject reasons); bind it to 127.0.0.1 or firewall the port.`,
    });
  }
  return findings;
}

/** The findings that stop the agent from starting. */
export function refusedFindings(findings: readonly ConfigFinding[]): ConfigFinding[] {
  return findings.filter((f) => f.severity === 'refuse');
}

/** The error the CLI exits with when a finding is refused. */
export function insecureConfigError(refused: readonly ConfigFinding[]): CodedError {
  return new CodedError(
    'CONFIG_INSECURE',
    `The agent refuses to start with an insecure configuration:\n  - ${refused.map((f) => f.message).join('\n  - ')}`,
    { checks: refused.map((f) => f.check), keys: refused.map((f) => f.key) },
  );
}

/** `--allow-insecure http-okta,short-secret`. Throws CONFIG_INVALID naming the allowed values. */
export function parseAllowInsecure(text: string): InsecureAllowance[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const known = INSECURE_ALLOWANCES as readonly string[];
  const unknown = items.filter((s) => !known.includes(s));
  if (unknown.length > 0 || items.length === 0) {
    throw new CodedError(
      'CONFIG_INVALID',
      `--allow-insecure '${text}' is not a list of known allowances; use a comma-separated list of: ${INSECURE_ALLOWANCES.join(', ')}`,
      { unknown },
    );
  }
  return items as InsecureAllowance[];
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped loopback), `localhost` and `*.localhost` (RFC 6761 §6.3). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const family = isIP(h);
  if (family === 4) return h.startsWith('127.');
  if (family === 6) {
    const block = parseAddressBlock(h);
    const b = block.bytes;
    const isV6Loopback = b.subarray(0, 15).every((x) => x === 0) && b[15] === 1;
    const isMappedV4Loopback = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff && b[12] === 127;
    return isV6Loopback || isMappedV4Loopback;
  }
  return false;
}

/** 0.0.0.0/0, ::/0, or any other block of prefix 0. An unparsable address is the transport's to report. */
function coversEveryAddress(address: string): boolean {
  try {
    return parseAddressBlock(address).prefix === 0;
  } catch {
    return false;
  }
}
