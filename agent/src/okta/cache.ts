import type { Clock } from '../clock.ts';
import type { AuthnContext, AuthnResult, ChallengeOptions, EnrollableFactor, EnrollResult, OktaApi, OktaFactor, OktaUser, VerifyResult } from './types.ts';

/**
 * An OktaApi that remembers the three lookups of an MFA sign-in — the user by
 * login, the app assignment, the factor list — so a user signing in again soon
 * costs one Okta call (the verify) instead of four. Okta rate-limits its API per
 * endpoint per minute; the lookups are three quarters of the calls.
 *
 * Staleness, bounded and documented (agent/README.md, "Lookup cache"):
 * - Every remembered fact is at most `ttlMs` old (default 5 minutes; 0 turns the
 *   cache off). Expiry is checked on read against the injected clock.
 * - Only positive facts are kept: an ACTIVE user, an assignment that exists, a
 *   factor list. A user not found, not active or not assigned is asked about
 *   every time, so fixing it in Okta takes effect at once.
 * - Any verify that does not succeed (wrong code, denied or unanswered push,
 *   an error) drops everything remembered about that user, so the next attempt
 *   looks up afresh: a new device, a removed factor or a changed status is seen
 *   by the second attempt at the latest.
 * - What Okta enforces on the verify call itself is never stale: a suspended,
 *   locked or deprovisioned user's verify fails at Okta (E0000038 / E0000069),
 *   as does a factor no longer active.
 * So the only decisions a cached fact can change are: a user unassigned from the
 *   app within the last `ttlMs` still passes the assignment check, and a push goes
 *   to the device that was newest up to `ttlMs` ago.
 * - At most `maxUsers` users are remembered (oldest first out), so memory is bounded.
 */

export interface LookupCacheOptions {
  clock: Clock;
  /** How old a remembered fact may be (ms). 0 = no cache. */
  ttlMs: number;
  /** Users remembered at most (each: the user, its assignments, its factors). */
  maxUsers: number;
}

export interface LookupCacheStats {
  hits: number;
  misses: number;
  /** Users whose facts were dropped after a verify that did not succeed. */
  invalidations: number;
  users: number;
}

interface UserFacts {
  login: string | undefined;
  user: { value: OktaUser; expiresAt: number } | undefined;
  factors: { value: OktaFactor[]; expiresAt: number } | undefined;
  /** appId → expiry of the positive assignment check. */
  assigned: Map<string, number>;
}

export const DEFAULT_LOOKUP_CACHE_MS = 300_000;
export const DEFAULT_LOOKUP_CACHE_USERS = 100_000;

export class CachingOktaApi implements OktaApi {
  readonly #inner: OktaApi;
  readonly #clock: Clock;
  readonly #ttl: number;
  readonly #max: number;
  /** userId → facts, in insertion order (the oldest is evicted first). */
  readonly #byId = new Map<string, UserFacts>();
  /** lower-cased login → userId. */
  readonly #idByLogin = new Map<string, string>();
  #hits = 0;
  #misses = 0;
  #invalidations = 0;

  constructor(inner: OktaApi, options: LookupCacheOptions) {
    this.#inner = inner;
    this.#clock = options.clock;
    this.#ttl = options.ttlMs;
    this.#max = Math.max(1, options.maxUsers);
  }

  get stats(): LookupCacheStats {
    return { hits: this.#hits, misses: this.#misses, invalidations: this.#invalidations, users: this.#byId.size };
  }

  async getUser(login: string, signal?: AbortSignal): Promise<OktaUser | null> {
    const key = login.toLowerCase();
    const id = this.#idByLogin.get(key);
    const cached = id === undefined ? undefined : this.#byId.get(id)?.user;
    if (cached && cached.expiresAt > this.#clock.now()) {
      this.#hits++;
      return cached.value;
    }
    this.#misses++;
    const user = await this.#inner.getUser(login, signal);
    if (user && user.status === 'ACTIVE') {
      const facts = this.#facts(user.id);
      if (facts.login !== undefined && facts.login !== key) this.#idByLogin.delete(facts.login);
      facts.login = key;
      facts.user = { value: user, expiresAt: this.#clock.now() + this.#ttl };
      this.#idByLogin.set(key, user.id);
    } else if (id !== undefined) {
      this.invalidate(id);
    }
    return user;
  }

  /** Group membership is authorization: never cached, always asked (passed through when the inner client has it). */
  listUserGroups(userId: string, signal?: AbortSignal): Promise<string[]> {
    if (!this.#inner.listUserGroups) return Promise.reject(new TypeError('the inner Okta client cannot list groups'));
    return this.#inner.listUserGroups(userId, signal);
  }

  async isAssignedToApp(appId: string, userId: string, signal?: AbortSignal): Promise<boolean> {
    const until = this.#byId.get(userId)?.assigned.get(appId);
    if (until !== undefined && until > this.#clock.now()) {
      this.#hits++;
      return true;
    }
    this.#misses++;
    const assigned = await this.#inner.isAssignedToApp(appId, userId, signal);
    if (assigned) this.#facts(userId).assigned.set(appId, this.#clock.now() + this.#ttl);
    else this.#byId.get(userId)?.assigned.delete(appId);
    return assigned;
  }

  async listFactors(userId: string, signal?: AbortSignal): Promise<OktaFactor[]> {
    const cached = this.#byId.get(userId)?.factors;
    if (cached && cached.expiresAt > this.#clock.now()) {
      this.#hits++;
      return cached.value;
    }
    this.#misses++;
    const factors = await this.#inner.listFactors(userId, signal);
    this.#facts(userId).factors = { value: factors, expiresAt: this.#clock.now() + this.#ttl };
    return factors;
  }

  verifyPasscode(userId: string, factorId: string, passCode: string, signal?: AbortSignal): Promise<VerifyResult> {
    return this.#keepIfSuccess(userId, this.#inner.verifyPasscode(userId, factorId, passCode, signal));
  }

  challenge(userId: string, factorId: string, signal?: AbortSignal, options?: ChallengeOptions): Promise<VerifyResult> {
    // A sent code is not a failure; only an error says something may have changed.
    return this.#dropOnError(userId, options ? this.#inner.challenge(userId, factorId, signal, options) : this.#inner.challenge(userId, factorId, signal));
  }

  verifyPush(userId: string, factorId: string, timeoutMs: number, signal?: AbortSignal): Promise<VerifyResult> {
    return this.#keepIfSuccess(userId, this.#inner.verifyPush(userId, factorId, timeoutMs, signal));
  }

  // The Authn API (password modes) is a transaction at Okta: nothing here to remember.
  primaryAuth(username: string, password: string, signal?: AbortSignal, context?: AuthnContext): Promise<AuthnResult> {
    return this.#inner.primaryAuth(username, password, signal, context);
  }

  authnVerifyPasscode(stateToken: string, factorId: string, passCode: string, signal?: AbortSignal): Promise<VerifyResult> {
    return this.#inner.authnVerifyPasscode(stateToken, factorId, passCode, signal);
  }

  authnChallenge(stateToken: string, factorId: string, signal?: AbortSignal, options?: ChallengeOptions): Promise<VerifyResult> {
    return options ? this.#inner.authnChallenge(stateToken, factorId, signal, options) : this.#inner.authnChallenge(stateToken, factorId, signal);
  }

  // Inline enrolment changes the user's factors: forget what was remembered (passed through when the inner client has it).
  authnEnroll(stateToken: string, factor: EnrollableFactor & { phoneNumber?: string }, signal?: AbortSignal): Promise<EnrollResult> {
    if (!this.#inner.authnEnroll) return Promise.reject(new TypeError('the inner Okta client cannot enrol factors'));
    return this.#inner.authnEnroll(stateToken, factor, signal);
  }

  async authnActivate(stateToken: string, factorId: string, passCode: string, signal?: AbortSignal, userId?: string): Promise<VerifyResult> {
    if (!this.#inner.authnActivate) throw new TypeError('the inner Okta client cannot activate factors');
    const r = await this.#inner.authnActivate(stateToken, factorId, passCode, signal, userId);
    // A new factor: the remembered factor list no longer holds.
    if (userId !== undefined) this.invalidate(userId);
    return r;
  }

  authnVerifyPush(stateToken: string, factorId: string, timeoutMs: number, signal?: AbortSignal): Promise<VerifyResult> {
    return this.#inner.authnVerifyPush(stateToken, factorId, timeoutMs, signal);
  }

  /** Forget everything remembered about this user. */
  invalidate(userId: string): void {
    const facts = this.#byId.get(userId);
    if (!facts) return;
    this.#byId.delete(userId);
    if (facts.login !== undefined && this.#idByLogin.get(facts.login) === userId) this.#idByLogin.delete(facts.login);
  }

  // `then`, not async frames: a pending push waits here for up to its whole timeout.
  #keepIfSuccess(userId: string, p: Promise<VerifyResult>): Promise<VerifyResult> {
    return p.then(
      (r) => {
        if (r.outcome !== 'SUCCESS') this.#forget(userId);
        return r;
      },
      (e: unknown) => {
        this.#forget(userId);
        throw e;
      },
    );
  }

  #dropOnError(userId: string, p: Promise<VerifyResult>): Promise<VerifyResult> {
    return p.catch((e: unknown) => {
      this.#forget(userId);
      throw e;
    });
  }

  #forget(userId: string): void {
    if (!this.#byId.has(userId)) return;
    this.#invalidations++;
    this.invalidate(userId);
  }

  #facts(userId: string): UserFacts {
    let facts = this.#byId.get(userId);
    if (!facts) {
      facts = { login: undefined, user: undefined, factors: undefined, assigned: new Map() };
      this.#byId.set(userId, facts);
      while (this.#byId.size > this.#max) {
        const oldest = this.#byId.keys().next().value;
        if (oldest === undefined) break;
        this.invalidate(oldest);
      }
    }
    return facts;
  }
}
