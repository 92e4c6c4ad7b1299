/**
 * OktaAdmin over HTTP(S) (undici) against any org URL with an SSWS token:
 * the mock served by the lab, or a real Okta test org.
 *
 * For a real org it is careful in three ways:
 * - every login carries a run prefix (`rmh-k3j9x2-alice@…`),
 *   so what the harness creates is told apart from real people, and
 *   `cleanupByPrefix` finds what a crashed run left (search
 *   `profile.login sw "rmh-"`, which includes DEPROVISIONED users);
 * - every user it creates is tracked and removed by cleanup() (Okta's two
 *   DELETEs: deactivate, then delete);
 * - calls go one at a time and are paced by Okta's headers: when
 *   X-Rate-Limit-Remaining falls to the reserve, it waits for
 *   X-Rate-Limit-Reset; a 429 waits for the reset and retries (bounded).
 *   https://developer.okta.com/docs/reference/rl-best-practices/
 */
import { randomBytes } from 'node:crypto';
import { type Clock, sleep, systemClock } from '../../agent/src/clock.ts';
import { CodedError } from '../../agent/src/errors.ts';
import { Agent, type Dispatcher, request } from 'undici';
import { type AdminCreateUser, type AdminFactor, type AdminUser, type CleanupReport, type OktaAdmin, oktaAdminError, type TotpEnrolment } from './admin-api.ts';
import type { UserStatus } from './types.ts';

/** Every run prefix starts with this; cleanupByPrefix refuses any other. */
export const RUN_PREFIX_ROOT = 'rmh-';

/**
 * `rmh-k3j9x2-`: 6 random base-36 characters (2 billion runs). Short on
 * purpose: a scenario's sAMAccountName is the login's local part, and AD
 * allows 20 characters — `rmh-k3j9x2-` leaves 9 for the person's name.
 */
export function newRunPrefix(): string {
  const n = randomBytes(5).readUIntBE(0, 5);
  return `${RUN_PREFIX_ROOT}${(n % 36 ** 6).toString(36).padStart(6, '0')}-`;
}

/**
 * What the last answer said of Okta's rate limit. Admins created one after
 * another against the same org (one per scenario) share one, so pacing
 * carries from a scenario to the next instead of starting blind.
 */
export class RateLimitMemory {
  last: { remaining: number; limit: number; resetAtMs: number } | undefined;
}

export interface HttpOktaAdminOptions {
  /** e.g. https://example.okta.com or the lab's https URL (no path). */
  orgUrl: string;
  /** SSWS token of an admin allowed to manage users, apps and factors (never logged). */
  apiToken: string;
  /** Prefix of every login this admin creates; default newRunPrefix(). Must start with "rmh-". */
  runPrefix?: string;
  /** PEM of an extra CA to trust (the lab's own); default: the system's CAs only. */
  ca?: string;
  /** Calls left in a window that are kept for others (the agent under test); default max(2, 10% of the limit). */
  reserve?: number;
  /** Longest single wait for a rate-limit reset (ms); longer fails the call. Default 65 s. */
  maxRateLimitWaitMs?: number;
  /** Per request (ms); default 30 s. */
  requestTimeoutMs?: number;
  /** Clock to pace on (default: the system clock, which X-Rate-Limit-Reset is given in). */
  clock?: Clock;
  /** Told about every pause (for logs and tests). */
  onPace?: (waitMs: number, reason: 'reserve' | '429') => void;
  /** Shared with earlier admins of the same org (default: this admin's own). */
  rateLimits?: RateLimitMemory;
}

interface Answer {
  status: number;
  json: unknown;
  headers: Record<string, string | string[] | undefined>;
}

const MAX_429_RETRIES = 3;

export class HttpOktaAdmin implements OktaAdmin {
  readonly kind = 'http' as const;
  readonly runPrefix: string;
  readonly orgUrl: string;
  readonly #token: string;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #opts: Required<Pick<HttpOktaAdminOptions, 'maxRateLimitWaitMs' | 'requestTimeoutMs' | 'clock'>> & Pick<HttpOktaAdminOptions, 'reserve' | 'onPace'>;
  readonly #created = new Map<string, string>();
  #tail: Promise<unknown> = Promise.resolve();
  readonly #limits: RateLimitMemory;

  constructor(options: HttpOktaAdminOptions) {
    let url: URL;
    try {
      url = new URL(options.orgUrl);
    } catch {
      throw new CodedError('OKTA_ADMIN_BAD_ORG_URL', `"${options.orgUrl}" is not a URL; give the org's base URL, e.g. https://example.okta.com.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new CodedError('OKTA_ADMIN_BAD_ORG_URL', `The org URL must be http(s), not ${url.protocol}`);
    }
    this.orgUrl = url.origin;
    if (!options.apiToken) throw new CodedError('OKTA_ADMIN_NO_TOKEN', 'An SSWS API token is required (from an environment variable; never write it in a file).');
    this.#token = options.apiToken;
    this.runPrefix = options.runPrefix ?? newRunPrefix();
    if (!this.runPrefix.startsWith(RUN_PREFIX_ROOT) || this.runPrefix.length < RUN_PREFIX_ROOT.length + 2) {
      throw new CodedError('OKTA_ADMIN_BAD_PREFIX', `A run prefix must start with "${RUN_PREFIX_ROOT}" and say more (e.g. ${newRunPrefix()}), so cleanup can find it and nothing else.`);
    }
    this.#dispatcher = options.ca ? new Agent({ connect: { ca: options.ca } }) : undefined;
    this.#limits = options.rateLimits ?? new RateLimitMemory();
    this.#opts = {
      maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 65_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      clock: options.clock ?? systemClock,
      ...(options.reserve !== undefined ? { reserve: options.reserve } : {}),
      ...(options.onPace ? { onPace: options.onPace } : {}),
    };
  }

  /**
   * Removes every user whose login starts with `prefix` (default: every
   * harness run's, "rmh-"): what a run that crashed left behind. Okta's
   * search is eventually consistent, so users created seconds ago may need a
   * second sweep.
   */
  static async cleanupByPrefix(options: Omit<HttpOktaAdminOptions, 'runPrefix'>, prefix = RUN_PREFIX_ROOT): Promise<CleanupReport> {
    if (!prefix.startsWith(RUN_PREFIX_ROOT)) {
      throw new CodedError('OKTA_ADMIN_BAD_PREFIX', `cleanupByPrefix only removes harness users (logins starting "${RUN_PREFIX_ROOT}"), not "${prefix}".`);
    }
    const admin = new HttpOktaAdmin({ ...options, runPrefix: prefix.length > RUN_PREFIX_ROOT.length + 1 ? prefix : `${RUN_PREFIX_ROOT}sweep-` });
    try {
      const report: CleanupReport = { deleted: [], failed: [] };
      for (const u of await admin.#search(`profile.login sw "${prefix}"`)) {
        if (!u.login.toLowerCase().startsWith(prefix.toLowerCase())) continue; // belt and braces: never touch anyone else
        try {
          await admin.deleteUser(u.id);
          report.deleted.push(u.login);
        } catch (e) {
          report.failed.push({ login: u.login, reason: (e as Error).message });
        }
      }
      return report;
    } finally {
      await admin.close();
    }
  }

  loginFor(login: string): string {
    return `${this.runPrefix}${login}`;
  }

  /**
   * One cheap call before a run (GET /api/v1/users?limit=1): proves the URL
   * answers as an Okta org and the token may read users. A refused token is
   * OKTA_ADMIN_REQUEST_FAILED with status 401 (E0000011) or 403 (E0000006).
   */
  async checkAccess(): Promise<void> {
    const r = await this.#call('listUsers', 'GET', '/api/v1/users?limit=1');
    if (!Array.isArray(r.json)) {
      throw new CodedError('OKTA_ADMIN_UNEXPECTED_ANSWER', `${this.orgUrl} answered GET /api/v1/users without a list of users; is it an Okta org?`);
    }
  }

  async createUser(input: AdminCreateUser): Promise<AdminUser> {
    const login = this.loginFor(input.login);
    const local = input.login.split('@')[0] ?? input.login;
    // Okta's default user type requires firstName, lastName and email.
    const profile = {
      login,
      email: input.email ?? (login.includes('@') ? login : `${login}@example.com`),
      firstName: input.firstName ?? local,
      lastName: input.lastName ?? 'Harness',
      ...(input.mobilePhone !== undefined ? { mobilePhone: input.mobilePhone } : {}),
    };
    const body = { profile, ...(input.password !== undefined ? { credentials: { password: { value: input.password } } } : {}) };
    const r = await this.#call('createUser', 'POST', `/api/v1/users?activate=${input.activate ?? true}`, body);
    const u = userOf(r.json);
    this.#created.set(u.id, u.login);
    return u;
  }

  async getUser(idOrLogin: string): Promise<AdminUser | undefined> {
    const r = await this.#call('getUser', 'GET', `/api/v1/users/${enc(idOrLogin)}`, undefined, [404]);
    return r.status === 404 ? undefined : userOf(r.json);
  }

  async activateUser(userId: string): Promise<AdminUser> {
    await this.#call('activateUser', 'POST', `/api/v1/users/${enc(userId)}/lifecycle/activate?sendEmail=false`);
    return this.#mustGet(userId);
  }

  async suspendUser(userId: string): Promise<AdminUser> {
    await this.#call('suspendUser', 'POST', `/api/v1/users/${enc(userId)}/lifecycle/suspend`);
    return this.#mustGet(userId);
  }

  async unsuspendUser(userId: string): Promise<AdminUser> {
    await this.#call('unsuspendUser', 'POST', `/api/v1/users/${enc(userId)}/lifecycle/unsuspend`);
    return this.#mustGet(userId);
  }

  async deactivateUser(userId: string): Promise<AdminUser> {
    await this.#call('deactivateUser', 'POST', `/api/v1/users/${enc(userId)}/lifecycle/deactivate?sendEmail=false`);
    return this.#mustGet(userId);
  }

  async unlockUser(userId: string): Promise<AdminUser> {
    await this.#call('unlockUser', 'POST', `/api/v1/users/${enc(userId)}/lifecycle/unlock`);
    return this.#mustGet(userId);
  }

  async expirePassword(userId: string): Promise<AdminUser> {
    const r = await this.#call('expirePassword', 'POST', `/api/v1/users/${enc(userId)}/lifecycle/expire_password`);
    return userOf(r.json);
  }

  async setPassword(userId: string, password: string): Promise<AdminUser> {
    const r = await this.#call('updateUser', 'POST', `/api/v1/users/${enc(userId)}`, { credentials: { password: { value: password } } });
    return userOf(r.json);
  }

  async deleteUser(userId: string): Promise<void> {
    // The first DELETE of a user who is not DEPROVISIONED deactivates; the second deletes. 404: gone already.
    for (let i = 0; i < 2; i++) {
      const r = await this.#call('deleteUser', 'DELETE', `/api/v1/users/${enc(userId)}?sendEmail=false`, undefined, [404]);
      if (r.status === 404) break;
    }
    this.#created.delete(userId);
  }

  async assignToApp(appId: string, userId: string): Promise<void> {
    await this.#call('assignUserToApplication', 'POST', `/api/v1/apps/${enc(appId)}/users`, { id: userId, scope: 'USER' });
  }

  async unassignFromApp(appId: string, userId: string): Promise<void> {
    await this.#call('unassignUserFromApplication', 'DELETE', `/api/v1/apps/${enc(appId)}/users/${enc(userId)}`);
  }

  async isAssigned(appId: string, userId: string): Promise<boolean> {
    const r = await this.#call('getApplicationUser', 'GET', `/api/v1/apps/${enc(appId)}/users/${enc(userId)}`, undefined, [404]);
    return r.status !== 404;
  }

  async enrollTotp(userId: string, provider: 'OKTA' | 'GOOGLE'): Promise<TotpEnrolment> {
    const r = await this.#call('enrollFactor', 'POST', `/api/v1/users/${enc(userId)}/factors`, { factorType: 'token:software:totp', provider });
    const f = r.json as { id?: unknown; status?: unknown; _embedded?: { activation?: { sharedSecret?: unknown } } };
    const sharedSecret = f._embedded?.activation?.sharedSecret;
    if (typeof f.id !== 'string' || typeof sharedSecret !== 'string') {
      throw new CodedError('OKTA_ADMIN_UNEXPECTED_ANSWER', 'Okta enrolled a TOTP factor but gave no factor id or shared secret (_embedded.activation.sharedSecret).');
    }
    return { factorId: f.id, sharedSecret, status: String(f.status) };
  }

  async activateFactor(userId: string, factorId: string, passCode: string): Promise<AdminFactor> {
    const r = await this.#call('activateFactor', 'POST', `/api/v1/users/${enc(userId)}/factors/${enc(factorId)}/lifecycle/activate`, { passCode });
    return factorOf(r.json);
  }

  async listFactors(userId: string): Promise<AdminFactor[]> {
    const r = await this.#call('listFactors', 'GET', `/api/v1/users/${enc(userId)}/factors`);
    return (Array.isArray(r.json) ? r.json : []).map(factorOf);
  }

  async cleanup(): Promise<CleanupReport> {
    const report: CleanupReport = { deleted: [], failed: [] };
    for (const [id, login] of [...this.#created]) {
      try {
        await this.deleteUser(id);
        report.deleted.push(login);
      } catch (e) {
        report.failed.push({ login, reason: (e as Error).message });
      }
    }
    return report;
  }

  /** Closes the connection pool (after cleanup). */
  async close(): Promise<void> {
    await this.#dispatcher?.close();
  }

  /** Logins this admin created and has not removed yet. */
  get created(): string[] {
    return [...this.#created.values()];
  }

  async #mustGet(userId: string): Promise<AdminUser> {
    const r = await this.#call('getUser', 'GET', `/api/v1/users/${enc(userId)}`);
    return userOf(r.json);
  }

  /** Users matching a search expression, following Okta's Link rel="next" pages. */
  async #search(expression: string): Promise<AdminUser[]> {
    const out: AdminUser[] = [];
    let path: string | undefined = `/api/v1/users?limit=200&search=${encodeURIComponent(expression)}`;
    for (let page = 0; path && page < 100; page++) {
      const r: Answer = await this.#call('listUsers', 'GET', path);
      for (const u of Array.isArray(r.json) ? r.json : []) out.push(userOf(u));
      path = nextLink(r.headers.link, this.orgUrl);
    }
    return out;
  }

  /** One call, after the previous one finished (Okta also limits concurrent requests). */
  #call(operation: string, method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<Answer> {
    const run = this.#tail.then(() => this.#send(operation, method, path, body, okStatuses));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #send(operation: string, method: string, path: string, body: unknown, okStatuses: number[]): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      await this.#paceBeforeCall();
      let res: Dispatcher.ResponseData;
      try {
        res = await request(`${this.orgUrl}${path}`, {
          method: method as Dispatcher.HttpMethod,
          headers: {
            authorization: `SSWS ${this.#token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
          headersTimeout: this.#opts.requestTimeoutMs,
          bodyTimeout: this.#opts.requestTimeoutMs,
        });
      } catch (e) {
        throw new CodedError(
          'OKTA_ADMIN_UNREACHABLE',
          `Could not reach ${this.orgUrl} for ${operation} (${(e as Error).message}); check the org URL, the network and (for the lab) the CA.`,
          { operation },
          { cause: e },
        );
      }
      const text = await res.body.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      this.#noteLimits(res.headers);
      if (res.statusCode === 429 && attempt < MAX_429_RETRIES) {
        await this.#pause(this.#waitForReset(), '429');
        continue;
      }
      if (res.statusCode >= 400 && !okStatuses.includes(res.statusCode)) {
        throw oktaAdminError(operation, res.statusCode, json as { errorCode?: unknown });
      }
      return { status: res.statusCode, json, headers: res.headers };
    }
  }

  #noteLimits(headers: Record<string, string | string[] | undefined>): void {
    const num = (h: string): number | undefined => {
      const v = headers[h];
      const n = Number(Array.isArray(v) ? v[0] : v);
      return v === undefined || !Number.isFinite(n) ? undefined : n;
    };
    const remaining = num('x-rate-limit-remaining');
    const limit = num('x-rate-limit-limit');
    const reset = num('x-rate-limit-reset');
    if (remaining !== undefined && limit !== undefined && reset !== undefined) this.#limits.last = { remaining, limit, resetAtMs: reset * 1000 };
  }

  async #paceBeforeCall(): Promise<void> {
    const l = this.#limits.last;
    if (!l) return;
    const reserve = this.#opts.reserve ?? Math.max(2, Math.ceil(l.limit * 0.1));
    if (l.remaining > reserve) return;
    await this.#pause(this.#waitForReset(), 'reserve');
  }

  /** How long until the window resets (a little after, to be on the far side of it). */
  #waitForReset(): number {
    const l = this.#limits.last;
    const wait = l ? l.resetAtMs - this.#opts.clock.now() + 50 : 1_000;
    // A reset in the past (a server clock behind ours): a short pause, then try.
    return wait > 0 ? wait : 250;
  }

  async #pause(ms: number, reason: 'reserve' | '429'): Promise<void> {
    if (ms > this.#opts.maxRateLimitWaitMs) {
      throw new CodedError(
        'OKTA_ADMIN_RATE_LIMITED',
        `Okta's rate limit resets in ${Math.round(ms / 1000)} s, longer than the ${Math.round(this.#opts.maxRateLimitWaitMs / 1000)} s allowed; run fewer scenarios against the org or raise maxRateLimitWaitMs.`,
      );
    }
    this.#opts.onPace?.(ms, reason);
    this.#limits.last = undefined;
    await sleep(this.#opts.clock, ms);
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function userOf(v: unknown): AdminUser {
  const u = v as { id?: unknown; status?: unknown; profile?: { login?: unknown } };
  if (typeof u?.id !== 'string' || typeof u.profile?.login !== 'string') {
    throw new CodedError('OKTA_ADMIN_UNEXPECTED_ANSWER', 'Okta answered without a user id or login; is the org URL an Okta org?');
  }
  return { id: u.id, login: u.profile.login, status: String(u.status) as UserStatus };
}

function factorOf(v: unknown): AdminFactor {
  const f = v as { id?: unknown; factorType?: unknown; provider?: unknown; status?: unknown };
  return { id: String(f?.id), factorType: String(f?.factorType), provider: String(f?.provider), status: String(f?.status) };
}

/** The path of Okta's `Link: <…>; rel="next"`, when it points at this org. */
function nextLink(header: string | string[] | undefined, orgUrl: string): string | undefined {
  for (const part of (Array.isArray(header) ? header : [header ?? '']).flatMap((h) => h.split(','))) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (!m) continue;
    const url = new URL(m[1]!, orgUrl);
    return url.origin === orgUrl ? `${url.pathname}${url.search}` : undefined;
  }
  return undefined;
}
