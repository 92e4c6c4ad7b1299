import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, Pool } from 'undici';
import { type Clock, sleep, systemClock } from '../clock.ts';
import { CodedError } from '../errors.ts';
import { type CallClass, CallSlots, type CallSlotsStats } from './call-slots.ts';
import { nextPollAt, PollScheduler } from './poll-scheduler.ts';
import type { AuthnContext, AuthnResult, ChallengeOptions, EnrollableFactor, EnrollResult, OktaApi, OktaFactor, OktaUser, VerifyResult } from './types.ts';

/** A fetch-compatible function (global fetch, undici's fetch, the lab's oktaFetch(org)). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** One finished HTTP exchange with Okta, for metrics (never carries bodies or the token). */
export interface OktaCallRecord {
  /** Logical operation, e.g. 'getUser', 'verifyFactor', 'pollPush'. */
  operation: string;
  /** HTTP status, or 0 when no response arrived (network error, timeout). */
  status: number;
  durationMs: number;
  attempt: number;
}

export interface OktaClientOptions {
  /** e.g. https://example.okta.com (no trailing path). */
  orgUrl: string;
  apiToken: string;
  clock?: Clock;
  /** Use this fetch (e.g. the lab's in-process oktaFetch) instead of the default undici pool. */
  fetch?: FetchLike;
  /** Lower level than `fetch`: the exchange itself (tests). Wins over `fetch`. */
  exchange?: HttpExchange;
  /** Per HTTP call (ms). */
  requestTimeoutMs?: number;
  /** Extra attempts after a 5xx, 429 or network error. */
  maxRetries?: number;
  /** First backoff (ms); doubles per attempt. */
  retryBackoffMs?: number;
  /** Longest a 429 may make us wait (ms); a later X-Rate-Limit-Reset fails the call instead. */
  maxRateLimitWaitMs?: number;
  /** Pause before a push's first poll (ms); later pauses grow ×1.5 up to pushPollMaxIntervalMs. */
  pushPollIntervalMs?: number;
  /** Longest pause between two polls of one push (ms). */
  pushPollMaxIntervalMs?: number;
  /**
   * Budget: Okta calls started in any one second over ALL calls of the agent (lookups,
   * verifies, polls, retries); sign-in calls first, polls with what is left (CallSlots).
   * Absent = no agent-wide budget (only the poll budget below).
   */
  callsPerSecond?: number;
  /** Budget: polls started per second over all pending pushes (see PollScheduler), within callsPerSecond. */
  pushPollsPerSecond?: number;
  /** Polls in flight at most; default half of maxConnections, so lookups always find a connection. */
  pushPollConcurrency?: number;
  /** Connection pool size for the default fetch (like ragent.num_max_http_connection). */
  maxConnections?: number;
  userAgent?: string;
  onCall?: (record: OktaCallRecord) => void;
}

/** Every Okta failure the agent cannot interpret is this one error: callers fail closed on it. */
export class OktaUnavailableError extends CodedError {
  readonly reason = 'okta-unavailable';
  constructor(message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super('OKTA_UNAVAILABLE', message, details, options);
    this.name = 'OktaUnavailableError';
  }
}

interface Exchange {
  status: number;
  body: unknown;
}

/** One HTTP answer as the client reads it: status, one header, the whole body as text. */
export interface RawAnswer {
  status: number;
  header(name: string): string | null;
  text: string;
}

/**
 * How the client sends one request: `path` is relative to the org's origin.
 * Rejects on a network error or when `signal` aborts. The default is undici's
 * Pool `request` (no WHATWG Request/Headers/Response objects or web streams:
 * those were ~35% of the agent's CPU per sign-in); an injected fetch is adapted.
 */
export type HttpExchange = (method: string, path: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal) => Promise<RawAnswer>;

/** An HttpExchange over a fetch-compatible function (the lab's in-process oktaFetch, or global fetch). */
export function exchangeViaFetch(fetchFn: FetchLike, origin: string): HttpExchange {
  return async (method, path, headers, body, signal) => {
    const init: RequestInit = { method, headers, signal };
    if (body !== undefined) init.body = body;
    const response = await fetchFn(origin + path, init);
    const text = await response.text();
    return { status: response.status, header: (name) => response.headers.get(name), text };
  };
}

/**
 * The default transport: an undici Pool to the org's origin (keep-alive, at most
 * `maxConnections` sockets; requests beyond wait in the pool's queue). It speaks
 * to the pool through `dispatch` with a handler that gathers the body's chunks:
 * Pool `request` wraps each answer in a Readable stream (and a promise per read),
 * which was the largest share of the agent's own CPU per Okta call.
 */
export function pooledExchange(origin: string, maxConnections: number): { exchange: HttpExchange; close(): Promise<void> } {
  const pool = new Pool(origin, { connections: maxConnections, keepAliveTimeout: 30_000, pipelining: 1 });
  const exchange: HttpExchange = (method, path, headers, body, signal) =>
    new Promise<RawAnswer>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let controller: Dispatcher.DispatchController | undefined;
      let settled = false;
      let status = 0;
      let answerHeaders: IncomingHttpHeaders = {};
      let chunks: Buffer[] = [];
      const onAbort = (): void => {
        // Started: undici ends it with onResponseError; still queued in the pool: answered now, dropped when it comes up.
        if (controller) controller.abort(signal.reason);
        else settle(signal.reason);
      };
      const settle = (error: unknown, answer?: RawAnswer): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (answer) resolve(answer);
        else reject(error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      pool.dispatch(
        { origin, method: method as Dispatcher.HttpMethod, path, headers, body: body ?? null },
        {
          onRequestStart(c) {
            controller = c;
            if (settled) c.abort(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          },
          onResponseStart(_c, statusCode, h) {
            // A 1xx answer comes before the real one: only the last counts.
            status = statusCode;
            answerHeaders = h;
            chunks = [];
          },
          onResponseData(_c, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
            const h = answerHeaders;
            settle(undefined, {
              status,
              header: (name) => {
                const v = h[name.toLowerCase()];
                return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
              },
              text,
            });
          },
          onResponseError(_c, error) {
            settle(signal.aborted ? signal.reason : error);
          },
        },
      );
    });
  return { exchange, close: () => pool.close() };
}

const DEFAULTS = {
  requestTimeoutMs: 10_000,
  maxRetries: 2,
  retryBackoffMs: 250,
  maxRateLimitWaitMs: 10_000,
  pushPollIntervalMs: 1_000,
  pushPollMaxIntervalMs: 2_000,
  pushPollsPerSecond: 200,
  maxConnections: 20,
};

/** A push's last poll comes this long before its deadline, so a late answer is still seen. */
const FINAL_POLL_LEAD_MS = 250;
const POLL_GROWTH = 1.5;
/**
 * How a call is admitted (CallSlots): its class and whose place it takes among sign-in
 * calls; or `held`, the slot the poll schedule already took for it (released once).
 */
interface Admit {
  cls: CallClass;
  place?: AbortSignal | undefined;
  held?: () => void;
}

/**
 * Okta API over HTTP. Fail-closed: anything other than an answer this client
 * understands becomes OktaUnavailableError, and the engine rejects on it.
 */
export class OktaClient implements OktaApi {
  readonly #origin: string;
  readonly #token: string;
  readonly #clock: Clock;
  readonly #exchange: HttpExchange;
  readonly #closePool: (() => Promise<void>) | undefined;
  /** Request headers without a body / with a JSON body: built once, not per call. */
  readonly #headers: { get: Record<string, string>; post: Record<string, string> };
  readonly #opts: typeof DEFAULTS;
  readonly #userAgent: string;
  readonly #onCall: ((r: OktaCallRecord) => void) | undefined;
  readonly #polls: PollScheduler;
  /** At most maxConnections calls in flight; the rest wait in order, sign-in calls first. */
  readonly #slots: CallSlots;

  constructor(options: OktaClientOptions) {
    const url = new URL(options.orgUrl);
    this.#origin = url.origin;
    this.#token = options.apiToken;
    this.#clock = options.clock ?? systemClock;
    this.#opts = {
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      maxRetries: options.maxRetries ?? DEFAULTS.maxRetries,
      retryBackoffMs: options.retryBackoffMs ?? DEFAULTS.retryBackoffMs,
      maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? DEFAULTS.maxRateLimitWaitMs,
      pushPollIntervalMs: options.pushPollIntervalMs ?? DEFAULTS.pushPollIntervalMs,
      pushPollMaxIntervalMs: Math.max(options.pushPollMaxIntervalMs ?? DEFAULTS.pushPollMaxIntervalMs, options.pushPollIntervalMs ?? DEFAULTS.pushPollIntervalMs),
      pushPollsPerSecond: options.pushPollsPerSecond ?? DEFAULTS.pushPollsPerSecond,
      maxConnections: options.maxConnections ?? DEFAULTS.maxConnections,
    };
    this.#slots = new CallSlots({ capacity: this.#opts.maxConnections, callsPerSecond: options.callsPerSecond, clock: this.#clock });
    this.#polls = new PollScheduler({
      clock: this.#clock,
      slots: this.#slots,
      pollsPerSecond: this.#opts.pushPollsPerSecond,
      maxInFlight: options.pushPollConcurrency ?? Math.max(1, Math.floor(this.#opts.maxConnections / 2)),
    });
    if (options.exchange) {
      this.#exchange = options.exchange;
    } else if (options.fetch) {
      this.#exchange = exchangeViaFetch(options.fetch, this.#origin);
    } else {
      const pool = pooledExchange(this.#origin, this.#opts.maxConnections);
      this.#exchange = pool.exchange;
      this.#closePool = pool.close;
    }
    this.#userAgent = options.userAgent ?? 'radius-mfa-agent/0.1';
    const base = { accept: 'application/json', authorization: `SSWS ${this.#token}`, 'user-agent': this.#userAgent };
    this.#headers = { get: base, post: { ...base, 'content-type': 'application/json' } };
    this.#onCall = options.onCall;
  }

  /** Closes the default connection pool (no-op with an injected fetch). */
  async close(): Promise<void> {
    this.#polls.close();
    this.#slots.close();
    await this.#closePool?.();
  }

  async getUser(login: string, signal?: AbortSignal): Promise<OktaUser | null> {
    const r = await this.#request('getUser', 'GET', `/api/v1/users/${encodeURIComponent(login)}`, undefined, signal);
    if (r.status === 404) return null;
    const user = expectOk(r, 'getUser') as OktaUser;
    if (typeof user?.id !== 'string') throw new OktaUnavailableError('Okta returned a user without an id.');
    // Only what the agent reads (types.ts): Okta's whole user (profile, credentials, _links) is
    // ~2 KB of objects, held by every pending sign-in and by the lookup cache.
    return { id: user.id, status: user.status, profile: { login: user.profile?.login } };
  }

  async listFactors(userId: string, signal?: AbortSignal): Promise<OktaFactor[]> {
    const r = await this.#request('listFactors', 'GET', `/api/v1/users/${encodeURIComponent(userId)}/factors`, undefined, signal);
    const body = expectOk(r, 'listFactors');
    if (!Array.isArray(body)) throw new OktaUnavailableError('Okta returned factors that are not a list.');
    return (body as OktaFactor[]).map(slimFactor);
  }

  /** Group names (profile.name) of the user's groups: "Include groups in RADIUS response" (Okta_Radius_App-gen-group-auth.htm). */
  async listUserGroups(userId: string, signal?: AbortSignal): Promise<string[]> {
    const r = await this.#request('listUserGroups', 'GET', `/api/v1/users/${encodeURIComponent(userId)}/groups`, undefined, signal);
    const body = expectOk(r, 'listUserGroups');
    if (!Array.isArray(body)) throw new OktaUnavailableError('Okta returned groups that are not a list.');
    return body.map((g: { profile?: { name?: unknown } }) => g?.profile?.name).filter((n): n is string => typeof n === 'string');
  }

  async isAssignedToApp(appId: string, userId: string, signal?: AbortSignal): Promise<boolean> {
    const path = `/api/v1/apps/${encodeURIComponent(appId)}/users/${encodeURIComponent(userId)}`;
    const r = await this.#request('getApplicationUser', 'GET', path, undefined, signal);
    if (r.status === 404) return false;
    expectOk(r, 'getApplicationUser');
    return true;
  }

  async verifyPasscode(userId: string, factorId: string, passCode: string, signal?: AbortSignal): Promise<VerifyResult> {
    const r = await this.#request('verifyFactor', 'POST', verifyPath(userId, factorId), { passCode }, signal);
    // Okta answers a wrong code with 403 E0000068 (or 400 on some factor types); both mean "invalid".
    if (r.status === 403 || r.status === 400) return { outcome: 'INVALID' };
    const body = expectOk(r, 'verifyFactor') as { factorResult?: string };
    return { outcome: body?.factorResult === 'SUCCESS' ? 'SUCCESS' : 'INVALID' };
  }

  async challenge(userId: string, factorId: string, signal?: AbortSignal, options?: ChallengeOptions): Promise<VerifyResult> {
    // Duo SMS: the keyword goes in the passcode field (the mock's Duo extension); otherwise an empty verify sends the code.
    const request = options?.passCode === undefined ? undefined : { passCode: options.passCode };
    const r = await this.#request('challengeFactor', 'POST', verifyPath(userId, factorId), request, signal);
    if (isTooSoon(r)) return { outcome: 'TOO_SOON' };
    const body = expectOk(r, 'challengeFactor') as { factorResult?: string; expiresAt?: string };
    if (body?.factorResult !== 'CHALLENGE') {
      throw new OktaUnavailableError(`Okta answered a challenge with factorResult ${String(body?.factorResult)}.`);
    }
    const expiresAt = body.expiresAt ? Date.parse(body.expiresAt) : Number.NaN;
    return Number.isFinite(expiresAt) ? { outcome: 'CHALLENGE', expiresAt } : { outcome: 'CHALLENGE' };
  }

  async verifyPush(userId: string, factorId: string, timeoutMs: number, signal?: AbortSignal): Promise<VerifyResult> {
    const deadline = this.#clock.now() + timeoutMs;
    let step = pushStep(expectOk(await this.#request('verifyFactor', 'POST', verifyPath(userId, factorId), undefined, signal), 'verifyFactor'));
    let interval = this.#opts.pushPollIntervalMs;
    // Only the outcome or the poll link crosses a wait (pushStep): the answer's other fields
    // (its _links, hints, profile) would otherwise live ~10 s per push and be promoted, once per poll.
    let path: string | undefined;
    let href: string | undefined;
    // Bounded by the deadline; the count only stops a clock that never moves.
    for (let polls = 0; polls < 100_000; polls++) {
      if (step.outcome) return { outcome: step.outcome };
      if (!step.poll) throw new OktaUnavailableError('Okta returned a waiting push without a poll link.');
      if (step.poll !== href) {
        href = step.poll;
        path = this.#sameOriginPath(href);
      }
      const pollPath = path!;
      const next = await this.#nextPoll(deadline, interval, signal, (admit) =>
        this.#request('pollPush', 'GET', pollPath, undefined, signal, undefined, admit).then((p) => pushStep(expectOk(p, 'pollPush'))),
      );
      if (!next) return { outcome: 'TIMEOUT' };
      step = next;
      interval = Math.min(interval * POLL_GROWTH, this.#opts.pushPollMaxIntervalMs);
    }
    return { outcome: 'TIMEOUT' };
  }

  /**
   * The next poll of a pending push: a turn on the poll schedule (poll budget, cap in
   * flight, earliest due first, and only what sign-in calls leave of the agent's call
   * budget), or undefined when no poll fits before the deadline — then it returns at
   * the deadline, as the push's time is up. If no turn comes before the last poll's
   * time (250 ms before the deadline), the last poll goes instead, as a sign-in call
   * in its request's place: without it an approval given in time would be lost and
   * the sign-in repeated, so a push is always looked at once more however busy the
   * budget is. Waiting costs the schedule's record only (no timer or controller per
   * push); the last poll may start after the deadline only when older requests' calls
   * hold the whole budget (the request's own deadline still bounds it).
   */
  #nextPoll<T>(deadline: number, interval: number, signal: AbortSignal | undefined, poll: (admit: Admit) => Promise<T>): Promise<T | undefined> {
    const at = nextPollAt(this.#clock.now(), deadline, interval, FINAL_POLL_LEAD_MS);
    if (at === undefined) {
      const left = deadline - this.#clock.now();
      return left > 0 ? sleep(this.#clock, left, signal).then(() => undefined) : Promise.resolve(undefined);
    }
    // A `then`, not an async frame: a pending push holds this and the schedule's record only.
    return this.#polls.wait(at, signal, deadline - FINAL_POLL_LEAD_MS).then((held) => {
      if (held) return poll({ cls: 'poll', held });
      if (this.#clock.now() >= deadline) return undefined;
      return poll({ cls: 'call', place: signal });
    });
  }

  /** Calls let through by class, and requests ended at once because the budget could not start them in time. */
  get callStats(): CallSlotsStats & { waiting: number; inFlight: number } {
    return { ...this.#slots.stats, waiting: this.#slots.waiting, inFlight: this.#slots.inUse };
  }

  /** Pending push polls waiting for their turn and in flight (tests, metrics). */
  get pushPolls(): { waiting: number; inFlight: number; started: number } {
    return { waiting: this.#polls.waiting, inFlight: this.#polls.inFlight, started: this.#polls.started };
  }

  async primaryAuth(username: string, password: string, signal?: AbortSignal, context?: AuthnContext): Promise<AuthnResult> {
    const body = { username, password, options: { multiOptionalFactorEnroll: false, warnBeforePasswordExpired: false } };
    // Report Client IP (Okta_Radius_App-gen-client-ip.htm): the client's IP for network zones, as X-Forwarded-For.
    const extra = context?.clientIp ? { 'x-forwarded-for': context.clientIp } : undefined;
    const r = await this.#request('primaryAuth', 'POST', '/api/v1/authn', body, signal, extra);
    if (r.status === 401) return { status: 'INVALID_CREDENTIALS' };
    return toAuthnResult(expectOk(r, 'primaryAuth'));
  }

  /**
   * One Authn API factor step inside a transaction (POST /api/v1/authn/factors/{id}/verify
   * with the stateToken): with a passCode it verifies; without, it sends the SMS / call /
   * email code, or starts a push (and, repeated, polls it). A wrong code answers
   * `factorResult: 'FAILED'`; a stateToken Okta no longer knows (401 E0000011) answers
   * status `TRANSACTION_EXPIRED`.
   */
  authnVerifyFactor(stateToken: string, factorId: string, passCode?: string, signal?: AbortSignal): Promise<AuthnResult & { factorResult?: string }> {
    return this.#authnVerifyFactor(stateToken, factorId, passCode, signal, undefined);
  }

  async #authnVerifyFactor(
    stateToken: string,
    factorId: string,
    passCode: string | undefined,
    signal: AbortSignal | undefined,
    admit: Admit | undefined,
  ): Promise<AuthnResult & { factorResult?: string }> {
    const body = passCode === undefined ? { stateToken } : { stateToken, passCode };
    const path = `/api/v1/authn/factors/${encodeURIComponent(factorId)}/verify`;
    const r = await this.#request('authnVerifyFactor', 'POST', path, body, signal, undefined, admit);
    if (r.status === 401 && oktaErrorCode(r.body) === 'E0000011') return { status: TRANSACTION_EXPIRED };
    if (isTooSoon(r)) return { status: TOO_SOON };
    // Okta answers a wrong code with 403 E0000068 (400 on some factor types); the transaction stays open.
    if (r.status === 403 || r.status === 400) return { status: 'MFA_CHALLENGE', factorResult: 'FAILED' };
    const b = expectOk(r, 'authnVerifyFactor') as { factorResult?: string };
    const result = toAuthnResult(b);
    return b?.factorResult ? { ...result, factorResult: b.factorResult } : result;
  }

  async authnVerifyPasscode(stateToken: string, factorId: string, passCode: string, signal?: AbortSignal): Promise<VerifyResult> {
    const r = await this.authnVerifyFactor(stateToken, factorId, passCode, signal);
    if (r.status === TRANSACTION_EXPIRED) return { outcome: 'EXPIRED' };
    return { outcome: r.status === 'SUCCESS' ? 'SUCCESS' : 'INVALID' };
  }

  async authnChallenge(stateToken: string, factorId: string, signal?: AbortSignal, options?: ChallengeOptions): Promise<VerifyResult> {
    const r = await this.authnVerifyFactor(stateToken, factorId, options?.passCode, signal);
    if (r.status === TRANSACTION_EXPIRED) return { outcome: 'EXPIRED' };
    if (r.status === TOO_SOON) return { outcome: 'TOO_SOON' };
    if (r.status !== 'MFA_CHALLENGE' || r.factorResult === 'FAILED') {
      throw new OktaUnavailableError(`Okta answered an authn challenge with status ${r.status}.`);
    }
    return { outcome: 'CHALLENGE' };
  }

  /** Authn push: start, then poll the transaction (the same call with the stateToken) until it leaves WAITING or `timeoutMs` passes. */
  async authnVerifyPush(stateToken: string, factorId: string, timeoutMs: number, signal?: AbortSignal): Promise<VerifyResult> {
    const deadline = this.#clock.now() + timeoutMs;
    let interval = this.#opts.pushPollIntervalMs;
    // The first call starts the push; the same call again polls it, on the shared schedule.
    let r: (AuthnResult & { factorResult?: string }) | undefined = await this.authnVerifyFactor(stateToken, factorId, undefined, signal);
    for (let polls = 0; polls < 100_000; polls++) {
      if (r.status === 'SUCCESS') return { outcome: 'SUCCESS' };
      if (r.status === TRANSACTION_EXPIRED) return { outcome: 'EXPIRED' };
      const result = pushOutcome(r.factorResult);
      if (result) return { outcome: result };
      r = await this.#nextPoll(deadline, interval, signal, (admit) => this.#authnVerifyFactor(stateToken, factorId, undefined, signal, admit));
      if (!r) return { outcome: 'TIMEOUT' };
      interval = Math.min(interval * POLL_GROWTH, this.#opts.pushPollMaxIntervalMs);
    }
    return { outcome: 'TIMEOUT' };
  }

  /**
   * POST /api/v1/authn/factors: enrol a factor in an MFA_ENROLL transaction (Okta's
   * Authentication API, "Enroll Factor"); SMS / call send the activation code at once
   * and Okta answers MFA_ENROLL_ACTIVATE with the factor (phone number masked).
   */
  async authnEnroll(stateToken: string, factor: EnrollableFactor & { phoneNumber?: string }, signal?: AbortSignal): Promise<EnrollResult> {
    const body = {
      stateToken,
      factorType: factor.factorType,
      provider: factor.provider,
      ...(factor.phoneNumber === undefined ? {} : { profile: { phoneNumber: factor.phoneNumber } }),
    };
    const r = await this.#request('authnEnroll', 'POST', '/api/v1/authn/factors', body, signal);
    if (r.status === 401 && oktaErrorCode(r.body) === 'E0000011') return { outcome: 'EXPIRED' };
    if (r.status === 400) return { outcome: 'INVALID_PROFILE' };
    if (r.status === 403) return { outcome: 'REFUSED' };
    const b = expectOk(r, 'authnEnroll') as { status?: string; _embedded?: { factor?: { id?: unknown; profile?: { phoneNumber?: unknown } } } };
    const f = b?._embedded?.factor;
    if (b?.status !== 'MFA_ENROLL_ACTIVATE' || typeof f?.id !== 'string') {
      throw new OktaUnavailableError(`Okta answered an enrolment with status ${String(b?.status)}.`);
    }
    const phone = f.profile?.phoneNumber;
    return typeof phone === 'string' ? { outcome: 'CODE_SENT', factorId: f.id, phoneNumber: phone } : { outcome: 'CODE_SENT', factorId: f.id };
  }

  /** POST /api/v1/authn/factors/{id}/lifecycle/activate: the code the user received; SUCCESS ends the transaction signed in. */
  async authnActivate(stateToken: string, factorId: string, passCode: string, signal?: AbortSignal): Promise<VerifyResult> {
    const path = `/api/v1/authn/factors/${encodeURIComponent(factorId)}/lifecycle/activate`;
    const r = await this.#request('authnActivate', 'POST', path, { stateToken, passCode }, signal);
    if (r.status === 401 && oktaErrorCode(r.body) === 'E0000011') return { outcome: 'EXPIRED' };
    if (r.status === 403 || r.status === 400) return { outcome: 'INVALID' };
    const b = expectOk(r, 'authnActivate') as { status?: string };
    return { outcome: b?.status === 'SUCCESS' ? 'SUCCESS' : 'INVALID' };
  }

  /** Links come from Okta's responses; only their path is followed, always on the configured org, so the token never goes elsewhere. */
  #sameOriginPath(href: string): string {
    const u = new URL(href, this.#origin);
    return u.pathname + u.search;
  }

  async #request(
    operation: string,
    method: string,
    path: string,
    body: unknown,
    signal?: AbortSignal,
    extraHeaders?: Record<string, string>,
    admit?: Admit,
  ): Promise<Exchange> {
    const { maxRetries, retryBackoffMs, maxRateLimitWaitMs, requestTimeoutMs } = this.#opts;
    let lastProblem = 'no attempt made';
    // A slot the poll schedule took for this poll: its first attempt's.
    let held = admit?.held;
    for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
      if (signal?.aborted) {
        held?.();
        throw signal.reason;
      }
      // A connection and the budget first (sign-in calls before polls); the call's own time-out starts once it has them.
      const release = held ?? (await this.#slots.acquire(admit?.cls ?? 'call', signal, admit ? admit.place : signal));
      held = undefined;
      if (signal?.aborted) {
        release();
        throw signal.reason;
      }
      const started = this.#clock.now();
      let response: RawAnswer;
      const timeout = new AbortController();
      const timer = this.#clock.setTimeout(() => timeout.abort(new Error('okta call timed out')), requestTimeoutMs);
      const onOuterAbort = (): void => timeout.abort(signal?.reason);
      signal?.addEventListener('abort', onOuterAbort, { once: true });
      try {
        const base = body === undefined ? this.#headers.get : this.#headers.post;
        const headers = extraHeaders ? { ...base, ...extraHeaders } : base;
        response = await this.#exchange(method, path, headers, body === undefined ? undefined : JSON.stringify(body), timeout.signal);
      } catch (e) {
        release();
        this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onOuterAbort);
        this.#onCall?.({ operation, status: 0, durationMs: this.#clock.now() - started, attempt });
        if (signal?.aborted) throw signal.reason;
        lastProblem = timeout.signal.aborted ? `no answer within ${requestTimeoutMs} ms` : `network error (${errorName(e)})`;
        if (attempt <= maxRetries) await sleep(this.#clock, backoff(retryBackoffMs, attempt), signal);
        continue;
      }
      release();
      this.#clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onOuterAbort);
      this.#onCall?.({ operation, status: response.status, durationMs: this.#clock.now() - started, attempt });

      // E0000109 is Okta's per-phone SMS/call throttle, not the API rate limit:
      // retrying can't help, and the caller tells the user to use the code they have.
      const text = response.text;
      if (response.status === 429 && oktaErrorCode(parseJson(text)) === 'E0000109') {
        return { status: 429, body: parseJson(text) };
      }
      if (response.status === 429) {
        const wait = rateLimitWait(response.header('x-rate-limit-reset'), this.#clock.now(), retryBackoffMs);
        lastProblem = 'rate limited (429)';
        if (wait > maxRateLimitWaitMs) {
          throw new OktaUnavailableError(`Okta rate limit: reset is ${wait} ms away, more than the ${maxRateLimitWaitMs} ms the agent waits.`, { operation });
        }
        if (attempt <= maxRetries) await sleep(this.#clock, wait, signal);
        continue;
      }
      if (response.status >= 500) {
        lastProblem = `HTTP ${response.status}`;
        if (attempt <= maxRetries) await sleep(this.#clock, backoff(retryBackoffMs, attempt), signal);
        continue;
      }
      return { status: response.status, body: parseJson(text) };
    }
    throw new OktaUnavailableError(`Okta ${operation} failed after ${maxRetries + 1} attempt(s): ${lastProblem}. Check the org URL, network and Okta status.`, {
      operation,
    });
  }
}

/** Status authnVerifyFactor reports when Okta no longer knows the stateToken (401 E0000011). */
const TRANSACTION_EXPIRED = 'TRANSACTION_EXPIRED';
/** Status authnVerifyFactor reports when Okta refuses to send another SMS / call yet (429 E0000109). */
const TOO_SOON = 'TOO_SOON';

function isTooSoon(r: { status: number; body: unknown }): boolean {
  return r.status === 429 && oktaErrorCode(r.body) === 'E0000109';
}

function oktaErrorCode(body: unknown): string | undefined {
  const code = (body as { errorCode?: unknown } | null)?.errorCode;
  return typeof code === 'string' ? code : undefined;
}

interface PushBody {
  factorResult?: string;
  _links?: { poll?: { href?: string } };
}

/** The fields of a factor the agent reads (types.ts), without Okta's _links, _embedded and the rest. */
function slimFactor(f: OktaFactor): OktaFactor {
  const out: OktaFactor = { id: f?.id, factorType: f?.factorType, provider: f?.provider, status: f?.status };
  if (f?.created !== undefined) out.created = f.created;
  const p = f?.profile;
  if (p) {
    const profile: NonNullable<OktaFactor['profile']> = {};
    for (const k of ['phoneNumber', 'email', 'credentialId', 'name'] as const) if (p[k] !== undefined) profile[k] = p[k];
    out.profile = profile;
  }
  return out;
}

function verifyPath(userId: string, factorId: string): string {
  return `/api/v1/users/${encodeURIComponent(userId)}/factors/${encodeURIComponent(factorId)}/verify`;
}

/** What a push answer says: decided (outcome), or still waiting and where to poll (the link's href). */
function pushStep(body: unknown): { outcome: VerifyResult['outcome'] | null; poll: string | undefined } {
  const b = body as PushBody | null;
  return { outcome: pushOutcome(b?.factorResult), poll: b?._links?.poll?.href };
}

function pushOutcome(factorResult: string | undefined): VerifyResult['outcome'] | null {
  switch (factorResult) {
    case 'SUCCESS':
      return 'SUCCESS';
    case 'REJECTED':
      return 'REJECTED';
    case 'TIMEOUT':
    case 'EXPIRED':
    case 'TIME_WINDOW_EXCEEDED':
      return 'TIMEOUT';
    case 'WAITING':
    case undefined:
      return null;
    default:
      throw new OktaUnavailableError(`Okta returned an unexpected push result ${factorResult}.`);
  }
}

function expectOk(r: Exchange, operation: string): unknown {
  if (r.status >= 200 && r.status < 300) return r.body;
  // 401/403 on reads usually mean a bad or under-privileged API token: fail closed with a hint.
  const hint = r.status === 401 || r.status === 403 ? ' Check the API token and its admin role.' : '';
  throw new OktaUnavailableError(`Okta ${operation} answered HTTP ${r.status}.${hint}`, { operation, status: r.status });
}

function toAuthnResult(body: unknown): AuthnResult {
  const b = body as {
    status?: string;
    stateToken?: string;
    expiresAt?: string;
    _embedded?: { user?: { id?: string }; factors?: OktaFactor[] };
  };
  if (typeof b?.status !== 'string') throw new OktaUnavailableError('Okta returned an authentication answer without a status.');
  const out: AuthnResult = { status: b.status };
  if (b.stateToken) out.stateToken = b.stateToken;
  const expiresAt = b.expiresAt ? Date.parse(b.expiresAt) : Number.NaN;
  if (b.stateToken && Number.isFinite(expiresAt)) out.expiresAt = expiresAt;
  if (b._embedded?.user?.id) out.userId = b._embedded.user.id;
  if (Array.isArray(b._embedded?.factors)) {
    if (b.status === 'MFA_ENROLL') {
      // Enrolment summaries: a type and provider, no id yet.
      out.enrollable = b._embedded.factors
        .filter((f) => typeof f?.factorType === 'string' && typeof f?.provider === 'string')
        .map((f) => ({ factorType: f.factorType, provider: f.provider }));
    } else {
      out.factors = b._embedded.factors;
    }
  }
  return out;
}

function parseJson(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new OktaUnavailableError('Okta returned a body that is not JSON.');
  }
}

/** X-Rate-Limit-Reset is the epoch second when the window resets. */
export function rateLimitWait(resetHeader: string | null, nowMs: number, fallbackMs: number): number {
  const reset = resetHeader === null ? Number.NaN : Number(resetHeader);
  if (!Number.isFinite(reset)) return fallbackMs;
  return Math.max(0, reset * 1000 - nowMs);
}

function backoff(baseMs: number, attempt: number): number {
  return baseMs * 2 ** (attempt - 1);
}

function errorName(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: { code?: string } }).cause;
    return cause?.code ?? e.name;
  }
  return 'unknown';
}
