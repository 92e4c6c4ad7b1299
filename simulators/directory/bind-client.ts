/**
 * The password check the AD Connector simulator makes: one LDAP simple bind,
 * on the ldapjs client. (The real connector checks passwords with Kerberos
 * and uses LDAP only for look-ups; the simulation binds. See README.md.)
 *
 * - An empty password is never sent: it would be an unauthenticated bind,
 *   which AD answers with success — the classic way to "log in" with no password.
 * - The timeout runs on the injected clock (default: the system clock), so a
 *   lab on a virtual clock decides when a hanging directory times out.
 * - The password is never logged or put in a message.
 *
 * Trap (the client-side twin of the server trap in ../shared/notes/ldapjs.md):
 * ldapjs turns a non-success bind result into an error built from
 * `res.errorMessage`, while the parsed result carries `diagnosticMessage`, so
 * AD's `data 52e` never reaches the callback. We make this one client accept
 * resultCode 49 as an answer (not an error) for bind requests, and read the
 * diagnostic from the result itself.
 */
import ldap from 'ldapjs';
import { type Clock, systemClock } from '../../agent/src/clock.ts';
import { type AdData, parseAdData, WORKSPACES_MESSAGES } from './ad-codes.ts';

export interface BindCheckOptions {
  /** `ldap://host:port` */
  url: string;
  /** As the user typed it: `alice`, `CORP\alice`, `alice@corp.example.com` or a DN. */
  username: string;
  password: string;
  /** NetBIOS domain put in front of a bare user name (`alice` → `CORP\alice`). */
  domain?: string;
  timeoutMs: number;
  clock?: Clock;
}

export type BindCheckResult =
  | {
      ok: true;
      /** The bind name when it was a DN. */
      dn?: string;
      /** What the directory says we are (WhoAmI), e.g. `CORP\alice`, when it answers. */
      identity?: string;
    }
  | {
      ok: false;
      /** `ldap-error`: the directory answered with something other than success or 49 (see resultCode). */
      reason: 'invalid-credentials' | 'unauthenticated-bind' | 'unreachable' | 'timeout' | 'ldap-error';
      adData?: AdData;
      resultCode?: number;
      /** What the user would be told. */
      message: string;
    };

const WHOAMI_OID = '1.3.6.1.4.1.4203.1.11.3';
const BIND_REQUEST = 0x60;
const SUCCESS = 0;
const INVALID_CREDENTIALS = 49;

/** The name to bind with: bare names get the NetBIOS domain, the other forms go as typed. */
export function bindNameFor(username: string, domain?: string): string {
  const u = username.trim();
  if (!domain || u.includes('\\') || u.includes('@') || u.includes('=')) return u;
  return `${domain}\\${u}`;
}

/** The slice of the ldapjs client used here (its typings describe 2.x). */
interface LdapClient {
  on(event: string, listener: (err: Error) => void): void;
  bind(name: string, password: string, cb: (err: Error | null, res?: LdapResultLike) => void): void;
  exop(oid: string, value: string, cb: (err: Error | null, value?: unknown) => void): void;
  destroy(): void;
  _send(message: { protocolOp?: number }, expect: number[], emitter: unknown, cb: unknown, bypass?: unknown): unknown;
}

interface LdapResultLike {
  status?: number;
  diagnosticMessage?: string;
}

/** Checks a user's password with one LDAP bind. Never rejects; every outcome is a result. */
export function ldapBindCheck(options: BindCheckOptions): Promise<BindCheckResult> {
  const { url, password, timeoutMs } = options;
  const clock = options.clock ?? systemClock;
  if (password === '') {
    return Promise.resolve({
      ok: false,
      reason: 'unauthenticated-bind',
      message: 'Enter your password',
    });
  }
  const name = bindNameFor(options.username, options.domain);

  return new Promise((resolve) => {
    let done = false;
    // reconnect off: one attempt, the caller decides about retries.
    const client = ldap.createClient({ url, reconnect: false }) as unknown as LdapClient;
    const finish = (result: BindCheckResult): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      client.destroy();
      resolve(result);
    };
    const timer = clock.setTimeout(
      () =>
        finish({
          ok: false,
          reason: 'timeout',
          message: `The directory at ${url} did not answer within ${timeoutMs} ms`,
        }),
      timeoutMs,
    );
    const unreachable = (err: Error): void =>
      finish({
        ok: false,
        reason: 'unreachable',
        message: `The directory at ${url} could not be reached (${(err as { code?: string }).code ?? err.message})`,
      });
    client.on('error', unreachable);
    client.on('connectError', unreachable);

    const send = client._send.bind(client);
    client._send = (message, expect, emitter, cb, bypass) =>
      send(message, message.protocolOp === BIND_REQUEST ? [SUCCESS, INVALID_CREDENTIALS] : expect, emitter, cb, bypass);

    client.bind(name, password, (err, res) => {
      if (done) return;
      if (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number') {
          finish({ ok: false, reason: 'ldap-error', resultCode: code, message: `The directory refused the sign-in (LDAP result ${code})` });
        } else {
          unreachable(err);
        }
        return;
      }
      if (res?.status === INVALID_CREDENTIALS) {
        const adData = parseAdData(res.diagnosticMessage);
        finish({
          ok: false,
          reason: 'invalid-credentials',
          adData,
          resultCode: INVALID_CREDENTIALS,
          message: adData ? WORKSPACES_MESSAGES[adData] : WORKSPACES_MESSAGES['52e'],
        });
        return;
      }
      const dn = name.includes('=') ? name : undefined;
      // WhoAmI is a courtesy: a directory without it still signed the user in.
      client.exop(WHOAMI_OID, '', (whoErr, value) => {
        const text = !whoErr && typeof value === 'string' ? value : '';
        finish({ ok: true, dn, identity: text.startsWith('u:') ? text.slice(2) : undefined });
      });
    });
  });
}
