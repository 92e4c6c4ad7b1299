/**
 * AWS Directory Service `RadiusSettings` (EnableRadius / UpdateRadius), validated
 * with the limits AWS publishes in the API reference (API_RadiusSettings):
 *
 * | field                  | AWS constraint                                        |
 * |------------------------|-------------------------------------------------------|
 * | RadiusServers          | array of strings, each 1–256 chars (FQDN or IP)       |
 * | RadiusServersIpv6      | array of strings, each 1–256 chars (IPv6 addresses)   |
 * | RadiusPort             | integer 1025–65535                                    |
 * | RadiusTimeout          | integer 1–50 (seconds)                                |
 * | RadiusRetries          | integer 0–10 (retries after the first attempt)        |
 * | SharedSecret           | 8–512 chars, pattern ^(\p{LD}|\p{Punct}| )+$          |
 * | AuthenticationProtocol | PAP, CHAP, MS-CHAPv1, MS-CHAPv2                        |
 * | DisplayLabel           | 1–64 chars ("not currently used" per AWS)             |
 * | UseSameUsername        | boolean ("not currently used" per AWS)                |
 *
 * AWS marks every member optional in the type, but EnableRadius can't work
 * without servers, port, timeout, retries, secret and protocol (the console
 * requires them), so here they are required; DisplayLabel and UseSameUsername
 * stay optional. Our additions, stated: at least one server in RadiusServers or
 * RadiusServersIpv6 (AWS marks both optional, but a RADIUS client needs one), each
 * RadiusServers entry must look like an IPv4/IPv6 address or a host name, each
 * RadiusServersIpv6 entry must be an IPv6 address (AWS: "The IPv6 addresses of the
 * RADIUS server endpoints or RADIUS server load balancer"; API_RadiusSettings,
 * API_EnableRadius — https://docs.aws.amazon.com/directoryservice/latest/devguide/API_RadiusSettings.html).
 *
 * A bad value throws CodedError('InvalidParameterException') whose message
 * names the field the way AWS's validation messages do; the secret's value is
 * never echoed.
 */
import { isIP } from 'node:net';
import { CodedError } from '../../agent/src/errors.ts';

export const AUTHENTICATION_PROTOCOLS = ['PAP', 'CHAP', 'MS-CHAPv1', 'MS-CHAPv2'] as const;
export type AuthenticationProtocol = (typeof AUTHENTICATION_PROTOCOLS)[number];

export interface RadiusSettings {
  RadiusServers: string[];
  /** IPv6 servers, tried after RadiusServers (the order between the two lists is ours: AWS doesn't say). */
  RadiusServersIpv6?: string[];
  RadiusPort: number;
  RadiusTimeout: number;
  RadiusRetries: number;
  SharedSecret: string;
  AuthenticationProtocol: AuthenticationProtocol;
  DisplayLabel?: string;
  UseSameUsername?: boolean;
}

export const LIMITS = {
  serverLength: { min: 1, max: 256 },
  port: { min: 1025, max: 65535 },
  timeout: { min: 1, max: 50 },
  retries: { min: 0, max: 10 },
  secretLength: { min: 8, max: 512 },
  displayLabelLength: { min: 1, max: 64 },
} as const;

/**
 * AWS's pattern is Java regex: \p{LD} = letter or digit (Character.isLetterOrDigit:
 * Unicode letters and decimal digits), \p{Punct} = POSIX ASCII punctuation
 * !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ , plus the space character.
 */
const SHARED_SECRET_PATTERN = /^(?:[\p{L}\p{Nd}]|[!-/:-@[-`{-~]| )+$/u;

/**
 * A host name: labels of 1–63 letters, digits and hyphens, not starting or ending
 * with '-'. The overall length is left to AWS's 256-character limit (DNS's own
 * 253 would make AWS's documented boundary untestable).
 */
const HOSTNAME_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Length in characters as Java/AWS counts them (UTF-16 code units). */
const len = (s: string): number => s.length;

type Problem = string;

function describeValue(field: string, value: unknown): string {
  if (field === 'sharedSecret') return '';
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return `Value '${shown}' `;
}

function problem(field: string, value: unknown, constraint: string): Problem {
  return `${describeValue(field, value)}at 'radiusSettings.${field}' failed to satisfy constraint: ${constraint}`;
}

function checkInteger(field: string, value: unknown, min: number, max: number, out: Problem[]): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    out.push(problem(field, value, 'Member must be an integer'));
  } else if (value < min) {
    out.push(problem(field, value, `Member must have value greater than or equal to ${min}`));
  } else if (value > max) {
    out.push(problem(field, value, `Member must have value less than or equal to ${max}`));
  }
}

function checkLength(field: string, value: unknown, min: number, max: number, out: Problem[]): value is string {
  if (typeof value !== 'string') {
    out.push(problem(field, value, 'Member must be a string'));
    return false;
  }
  if (len(value) < min) {
    out.push(problem(field, value, `Member must have length greater than or equal to ${min}`));
    return false;
  }
  if (len(value) > max) {
    out.push(problem(field, value, `Member must have length less than or equal to ${max}`));
    return false;
  }
  return true;
}

/** Is this a server name AWS-style settings could point at: an IP address or a host name. */
export function isServerAddress(value: string): boolean {
  return isIP(value) !== 0 || HOSTNAME_PATTERN.test(value);
}

/**
 * Validate untrusted input (e.g. JSON from a scenario) and return a clean copy.
 * Throws InvalidParameterException listing every problem, AWS-style:
 * "2 validation errors detected: Value '70' at 'radiusSettings.radiusTimeout' …".
 */
export function validateRadiusSettings(input: unknown): RadiusSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new CodedError('InvalidParameterException', 'RadiusSettings must be an object with the RADIUS settings.', {
      field: 'radiusSettings',
    });
  }
  const s = input as Record<string, unknown>;
  const problems: Problem[] = [];
  const fields: string[] = [];
  const note = (field: string, before: number): void => {
    if (problems.length > before) fields.push(field);
  };

  let before = problems.length;
  const servers = s['RadiusServers'];
  const servers6 = s['RadiusServersIpv6'];
  const hasAny = (v: unknown): boolean => Array.isArray(v) && v.length > 0;
  if (servers !== undefined && !Array.isArray(servers)) {
    problems.push(problem('radiusServers', servers, 'Member must be a list of strings'));
  } else if (servers === undefined && servers6 === undefined) {
    problems.push(problem('radiusServers', servers, 'Member must not be null'));
  } else if (!hasAny(servers) && !hasAny(servers6)) {
    problems.push(problem('radiusServers', servers ?? [], 'Member must contain at least one server (here or in RadiusServersIpv6)'));
  } else if (Array.isArray(servers)) {
    servers.forEach((server, i) => {
      const field = `radiusServers.${i + 1}.member`;
      if (checkLength(field, server, LIMITS.serverLength.min, LIMITS.serverLength.max, problems)) {
        if (!isServerAddress(server)) {
          problems.push(problem(field, server, 'Member must be an IP address or a fully qualified domain name'));
        }
      }
    });
  }
  note('RadiusServers', before);

  before = problems.length;
  if (servers6 !== undefined) {
    if (!Array.isArray(servers6)) {
      problems.push(problem('radiusServersIpv6', servers6, 'Member must be a list of strings'));
    } else {
      servers6.forEach((server, i) => {
        const field = `radiusServersIpv6.${i + 1}.member`;
        if (checkLength(field, server, LIMITS.serverLength.min, LIMITS.serverLength.max, problems) && isIP(server) !== 6) {
          problems.push(problem(field, server, 'Member must be an IPv6 address'));
        }
      });
    }
  }
  note('RadiusServersIpv6', before);

  before = problems.length;
  checkInteger('radiusPort', s['RadiusPort'], LIMITS.port.min, LIMITS.port.max, problems);
  note('RadiusPort', before);
  before = problems.length;
  checkInteger('radiusTimeout', s['RadiusTimeout'], LIMITS.timeout.min, LIMITS.timeout.max, problems);
  note('RadiusTimeout', before);
  before = problems.length;
  checkInteger('radiusRetries', s['RadiusRetries'], LIMITS.retries.min, LIMITS.retries.max, problems);
  note('RadiusRetries', before);

  before = problems.length;
  const secret = s['SharedSecret'];
  if (secret === undefined || secret === null) {
    problems.push(problem('sharedSecret', secret, 'Member must not be null'));
  } else if (checkLength('sharedSecret', secret, LIMITS.secretLength.min, LIMITS.secretLength.max, problems)) {
    if (!SHARED_SECRET_PATTERN.test(secret)) {
      problems.push(problem('sharedSecret', secret, 'Member must satisfy regular expression pattern: ^(\\p{LD}|\\p{Punct}| )+$'));
    }
  }
  note('SharedSecret', before);

  before = problems.length;
  const protocol = s['AuthenticationProtocol'];
  if (typeof protocol !== 'string' || !(AUTHENTICATION_PROTOCOLS as readonly string[]).includes(protocol)) {
    problems.push(problem('authenticationProtocol', protocol, `Member must satisfy enum value set: [${AUTHENTICATION_PROTOCOLS.join(', ')}]`));
  }
  note('AuthenticationProtocol', before);

  before = problems.length;
  const label = s['DisplayLabel'];
  if (label !== undefined) {
    checkLength('displayLabel', label, LIMITS.displayLabelLength.min, LIMITS.displayLabelLength.max, problems);
  }
  note('DisplayLabel', before);

  before = problems.length;
  const same = s['UseSameUsername'];
  if (same !== undefined && typeof same !== 'boolean') {
    problems.push(problem('useSameUsername', same, 'Member must be a boolean'));
  }
  note('UseSameUsername', before);

  const known = new Set([
    'RadiusServers',
    'RadiusServersIpv6',
    'RadiusPort',
    'RadiusTimeout',
    'RadiusRetries',
    'SharedSecret',
    'AuthenticationProtocol',
    'DisplayLabel',
    'UseSameUsername',
  ]);
  for (const key of Object.keys(s)) {
    if (!known.has(key)) {
      problems.push(`Unknown parameter in radiusSettings: '${key}', must be one of: ${[...known].join(', ')}`);
      fields.push(key);
    }
  }

  if (problems.length > 0) {
    const n = problems.length;
    throw new CodedError(
      'InvalidParameterException',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
      { fields },
    );
  }
  const clean: RadiusSettings = {
    RadiusServers: [...((servers as string[] | undefined) ?? [])],
    RadiusPort: s['RadiusPort'] as number,
    RadiusTimeout: s['RadiusTimeout'] as number,
    RadiusRetries: s['RadiusRetries'] as number,
    SharedSecret: secret as string,
    AuthenticationProtocol: protocol as AuthenticationProtocol,
  };
  if (Array.isArray(servers6)) clean.RadiusServersIpv6 = [...(servers6 as string[])];
  if (label !== undefined) clean.DisplayLabel = label as string;
  if (same !== undefined) clean.UseSameUsername = same as boolean;
  return clean;
}

/** The settings as DescribeDirectories would show them: the secret never leaves. */
export function redactSettings(settings: RadiusSettings): Omit<RadiusSettings, 'SharedSecret'> & { SharedSecret: '********' } {
  const shown = { ...settings, RadiusServers: [...settings.RadiusServers], SharedSecret: '********' as const };
  if (settings.RadiusServersIpv6) shown.RadiusServersIpv6 = [...settings.RadiusServersIpv6];
  return shown;
}
