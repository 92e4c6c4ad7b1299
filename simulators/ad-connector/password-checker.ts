/**
 * The connector's first step: is the password right? The real AD Connector
 * checks it with Kerberos against the domain controllers and uses LDAP for
 * look-ups; here (a stated simplification) it is an LDAP simple bind against the
 * directory simulator. Injectable so tests and pages can run without a directory.
 */
import type { Clock } from '../../agent/src/clock.ts';
import type { BindCheckOptions } from '../directory/bind-client.ts';

export type PasswordCheckResult =
  | { ok: true }
  | {
      ok: false;
      /** The checker's own reason code (e.g. 'invalid-credentials', 'unreachable'). */
      reason: string;
      /** AD's diagnostic sub-code from "data 52e" etc., when the directory gave one. */
      adData?: string;
      message?: string;
      /** The directory could not be asked at all (connection refused, timeout). */
      unreachable?: boolean;
    };

export interface PasswordChecker {
  check(input: { username: string; password: string }): Promise<PasswordCheckResult>;
}

/**
 * The default checker: an LDAP bind through the directory simulator's client
 * (simulators/directory/bind-client.ts). Loaded lazily so tests and pages that
 * inject their own checker never load ldapjs.
 */
export function ldapPasswordChecker(options: { url: string; domain?: string; timeoutMs?: number; clock?: Clock }): PasswordChecker {
  return {
    async check({ username, password }) {
      const { ldapBindCheck } = await import('../directory/bind-client.ts');
      const input: BindCheckOptions = { url: options.url, username, password, timeoutMs: options.timeoutMs ?? 5000 };
      if (options.domain !== undefined) input.domain = options.domain;
      if (options.clock !== undefined) input.clock = options.clock;
      const result = await ldapBindCheck(input);
      if (result.ok) return { ok: true };
      const out: PasswordCheckResult = { ok: false, reason: result.reason, message: result.message };
      if (result.adData !== undefined) out.adData = result.adData;
      if (result.reason === 'unreachable' || result.reason === 'timeout' || result.reason === 'ldap-error') out.unreachable = true;
      return out;
    },
  };
}

/** A fixed table of username → password, for tests and the page's demo mode. */
export function staticPasswordChecker(users: Record<string, string>): PasswordChecker {
  return {
    async check({ username, password }) {
      const expected = Object.hasOwn(users, username) ? users[username] : undefined;
      if (password === '') return { ok: false, reason: 'empty-password' };
      return expected !== undefined && expected === password ? { ok: true } : { ok: false, reason: 'invalid-credentials', adData: '52e' };
    },
  };
}
