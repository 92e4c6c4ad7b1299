import { randomBytes } from 'node:crypto';
import type { AbortLike } from '../abort-like.ts';
import type { Clock } from '../clock.ts';
import { registerRequestDeadline } from '../okta/deadlines.ts';
import type { ChallengeOptions, EnrollableFactor, OktaApi, OktaFactor, OktaUser, VerifyResult } from '../okta/types.ts';
import {
  deliveryPhrase,
  FACTOR_LABEL,
  type FactorKind,
  isDuoUser,
  type Keyword,
  keywordFactor,
  looksLikePasscode,
  maskEmail,
  maskPhone,
  parseKeyword,
  passcodeFactors,
  type UsableFactor,
  usableFactors,
} from './factors.ts';
import { accept, type Decision, reject } from './reasons.ts';
import { TtlMap } from './ttl-map.ts';
import { toOktaLogin, type UsernameFormat } from './username.ts';

/**
 * The decision logic of one RADIUS app: turns an Access-Request's user name and
 * PAP answer into accept / reject / challenge / no response, asking Okta through
 * an OktaApi. No sockets, no RADIUS bytes; time only through the injected clock.
 *
 * MFA-only mode verifies factors with the Factors API (there is no password, so
 * no Authn transaction). The password modes follow Okta's RADIUS agent: the
 * password opens an Authn transaction (POST /api/v1/authn) and the second factor
 * is verified inside it with its stateToken, so Okta's sign-on policy decides
 * which factors are offered (and whether one is needed at all). In
 * password-first mode the stateToken stays here, in a bounded TTL map keyed by
 * the random RADIUS State sent in the Access-Challenge; it never goes on the wire.
 */

export type AppMode = 'mfa-only' | 'password-passcode' | 'password-first';

/**
 * As the real agent's ragent.request.timeout.response.mode: SEND_REJECT_ON_POLL_MFA (the
 * documented default), SEND_REJECT_ALWAYS, NO_RESPONSE (Okta help,
 * Agent_install_linux-conf-properties.htm).
 */
export type TimeoutResponseMode = 'reject-when-polling-mfa' | 'always-reject' | 'no-response';

export type AuthProtocol = 'pap' | 'chap' | 'mschapv1' | 'mschapv2' | 'eap' | 'none';

const PROTOCOL_LABEL: Readonly<Record<AuthProtocol, string>> = {
  pap: 'PAP',
  chap: 'CHAP',
  mschapv1: 'MS-CHAP',
  mschapv2: 'MS-CHAPv2',
  eap: 'EAP',
  none: 'none',
};

/** The Reply-Message of protocol-not-supported per protocol, built once (the reply encoder caches by text). */
const NOT_PAP_MESSAGE: Readonly<Record<AuthProtocol, string>> = Object.fromEntries(
  (Object.keys(PROTOCOL_LABEL) as AuthProtocol[]).map((p) => [
    p,
    `${p === 'none' ? 'The request has no password.' : `${PROTOCOL_LABEL[p]} is not supported.`} Set the RADIUS client to PAP.`,
  ]),
) as Record<AuthProtocol, string>;

export interface EngineAppConfig {
  name: string;
  /** Okta app id for the assignment check; without it the check is skipped. */
  appId?: string;
  mode: AppMode;
  usernameFormat: UsernameFormat;
  timeouts: {
    /** Like ragent.total.request.timeout.millisecond (default 60000). */
    totalRequestMs: number;
    /** Push wait; default half of totalRequestMs, as the real agent does. */
    pushMs?: number;
    responseModeOnTimeout: TimeoutResponseMode;
    /** How long an SMS / call / email code is remembered when Okta gives no expiry (default 300000). */
    otpMs?: number;
    /**
     * How long an Access-Challenge State stays valid: as ragent.mfa.timeout.seconds, "Time, in
     * seconds, that the agent will wait for the client to respond to an MFA challenge such as
     * factor selection", default 60 (Okta help, Agent_install_linux-conf-properties.htm).
     */
    challengeMs?: number;
  };
  /**
   * Password-first with one factor to offer: 'when-several' (default) prompts for it
   * directly, the menu appears only with several — Okta help,
   * citrix-netscaler-radius-user-exp.htm: "If only a single MFA option is configured …
   * end users will only be prompted for the single active MFA after normal login. If
   * multiple MFA options are configured, users will first be prompted … to select".
   * 'always' shows the menu even for one.
   */
  factorMenu?: 'when-several' | 'always';
  /**
   * Which Okta app this RADIUS app stands for, for the rules Okta documents per app:
   * 'amazon-workspaces' (default) — Duo push / SMS / call are not supported, a Duo user
   * types the Duo passcode (aws-radius-intg-config-mfa.htm); 'radius' — the generic
   * RADIUS app, where Duo push, SMS and passcode work over PAP (Okta_Radius_App.htm,
   * "Supported factors").
   */
  oktaApp?: 'amazon-workspaces' | 'radius';
  /**
   * "Include groups in RADIUS response" (Okta_Radius_App-gen-group-auth.htm): on an accept, the
   * user's Okta groups that are in `include` (only those: "if a user belongs to four groups, but
   * you only list two … Okta will only pass the two") go into Decision.groups.
   */
  groups?: { include: readonly string[] };
  /**
   * The RADIUS app's inline enrolment box (Okta_Radius_App-gen-config-app.htm: "If this access is
   * disabled, users with no enrolled MFA are required to enroll in Okta before authenticating. To
   * permit inline enrollment, check the box."). Default false. Password-first only: enrolment is a
   * dialogue of Access-Challenges (pick a factor, give a phone number, type the code sent to it).
   */
  inlineEnrollment?: boolean;
}

export interface EngineRequest {
  userName: string | undefined;
  /** The clear User-Password (PAP), undefined when absent. */
  password: string | undefined;
  protocol: AuthProtocol;
  /** State from a previous Access-Challenge. */
  state?: Uint8Array | undefined;
  /** The RADIUS client's user IP, from the app's reportClientIp attribute: passed to Okta's Authn API. */
  clientIp?: string | undefined;
  /**
   * Aborted when this request must end (e.g. its listener closes): answered as
   * agent-stopping. An AbortSignal, or the transport's request itself (AbortLike).
   */
  signal?: AbortLike | undefined;
  /**
   * Aborted when the agent stops (in-flight requests are rejected). Separate from
   * `signal` so a caller need not combine the two per request (AbortSignal.any
   * keeps a little memory per call on a long-lived signal).
   */
  stopSignal?: AbortLike | undefined;
}

export interface EngineOptions {
  app: EngineAppConfig;
  okta: OktaApi;
  clock: Clock;
  /** State values for challenges; random 16 bytes by default. */
  newState?: () => Uint8Array;
  /** Told +1 when a push starts waiting and -1 when it ends (pending-pushes gauge). */
  onPushPending?: (delta: 1 | -1) => void;
  /** Most password-first States held at once (oldest dropped first); default 10000. */
  maxOpenChallenges?: number;
}

type Phase = 'lookup' | 'polling-mfa' | 'verifying';

interface RequestCtx {
  phase: Phase;
  signal: AbortSignal;
  deadlineAt: number;
}

interface PendingOtp {
  factorId: string;
  kind: FactorKind;
}

/** An Authn transaction opened by a password (password modes). */
interface Transaction {
  /** Okta's stateToken: kept server-side, never put in a RADIUS attribute, a log or a reply. */
  stateToken: string;
  /** When Okta said the transaction expires (epoch ms). */
  expiresAt: number | undefined;
  /** The factors the transaction offers that the agent can drive, newest enrolment first. */
  usable: UsableFactor[];
}

/** Password-first inline enrolment: where the user is in it. */
interface Enrolment {
  /** The factor types the user may enrol over RADIUS, in Okta's order. */
  options: EnrollableFactor[];
  /** Okta's user id (the lookup cache forgets the user's factors once one is activated). */
  userId?: string;
  /** Picked: its phone number is asked for next. */
  chosen?: EnrollableFactor;
  /** Enrolled in the transaction: its activation code is expected next. */
  factorId?: string;
}

/** Password-first: what one Access-Challenge State stands for. */
interface Session extends Transaction {
  userName: string;
  login: string;
  /** The factors whose code is expected next; absent while the user picks a factor. */
  awaiting?: UsableFactor[];
  /** Inline enrolment in progress (the user had no factor; the app permits enrolling one). */
  enrol?: Enrolment;
}

/** How one request verifies factors: the Factors API (mfa-only) or inside an Authn transaction (password modes). */
interface FactorPath {
  passcode(factorId: string, code: string, signal: AbortSignal): Promise<VerifyResult>;
  challenge(factorId: string, signal: AbortSignal, options?: ChallengeOptions): Promise<VerifyResult>;
  push(factorId: string, timeoutMs: number, signal: AbortSignal): Promise<VerifyResult>;
}

class RequestTimeout extends Error {}
class AgentStopping extends Error {}
/** An Okta answer the engine cannot use: fail closed like any other Okta failure. */
class UnexpectedOktaAnswer extends Error {
  readonly reason = 'okta-unavailable';
}

const DEFAULT_OTP_MS = 300_000;
/** ragent.mfa.timeout.seconds = 60 (Agent_install_linux-conf-properties.htm). */
const DEFAULT_CHALLENGE_MS = 60_000;

export class Engine {
  readonly #app: EngineAppConfig;
  readonly #okta: OktaApi;
  readonly #clock: Clock;
  readonly #newState: () => Uint8Array;
  readonly #onPushPending: ((delta: 1 | -1) => void) | undefined;
  /** login → the SMS / call / email factor whose code was sent last. */
  readonly #pendingOtp: TtlMap<PendingOtp>;
  /** hex(State) → password-first session. */
  readonly #sessions: TtlMap<Session>;

  constructor(options: EngineOptions) {
    this.#app = options.app;
    this.#okta = options.okta;
    this.#clock = options.clock;
    this.#newState = options.newState ?? (() => new Uint8Array(randomBytes(16)));
    this.#onPushPending = options.onPushPending;
    this.#pendingOtp = new TtlMap(options.clock);
    this.#sessions = new TtlMap(options.clock, options.maxOpenChallenges ?? 10_000);
  }

  get app(): EngineAppConfig {
    return this.#app;
  }

  /** Push wait for this app: configured, else half the total request timeout. */
  get pushTimeoutMs(): number {
    return this.#app.timeouts.pushMs ?? Math.floor(this.#app.timeouts.totalRequestMs / 2);
  }

  /**
   * The decision for a request that needs no Okta call — not PAP, no user name, or
   * password,passcode mode without a comma — else undefined. Synchronous: the hygiene
   * path (requests rejected before any Okta call) needs no deadline, timer, signal
   * or promise. authenticate() gives the same decision for these, except while the
   * request's or the agent's signal is aborted (then agent-stopping).
   */
  decideWithoutOkta(req: Pick<EngineRequest, 'userName' | 'password' | 'protocol'>): Decision | undefined {
    const pre = this.#precheck(req);
    return typeof pre === 'string' ? undefined : pre;
  }

  authenticate(req: EngineRequest): Promise<Decision> {
    let pre: Decision | string;
    try {
      pre = this.#precheck(req);
    } catch (e) {
      return Promise.reject(e);
    }
    // Decided without Okta: none of the deadline machinery below (an AbortController, a timer,
    // three listeners and a race per request were most of the hygiene path's engine cost).
    if (typeof pre !== 'string' && !req.signal?.aborted && !req.stopSignal?.aborted) return Promise.resolve(pre);
    // Not async itself: its promise would be one more link in the chain a pending push holds.
    return this.#withDeadline(req, pre);
  }

  /**
   * The Okta path of one request under its deadline: the total time-out, the request's
   * own signal (superseded) and the agent's (stopping) end it, and the first of the work's
   * decision and that end answers — even if an Okta call ignores its abort signal. One
   * promise settled once rather than a race: a push waits tens of seconds, and each
   * promise, reaction and closure held for it counts when thousands wait (bench/pushes.ts).
   */
  #withDeadline(req: EngineRequest, pre: Decision | string): Promise<Decision> {
    const totalMs = this.#app.timeouts.totalRequestMs;
    const deadline = new AbortController();
    const ctx: RequestCtx = { phase: 'lookup', signal: deadline.signal, deadlineAt: this.#clock.now() + totalMs };
    return new Promise<Decision>((resolve) => {
      let settled = false;
      const timer = this.#clock.setTimeout(() => deadline.abort(new RequestTimeout()), totalMs);
      // Two listeners removed when it settles: nothing per request outlives it on the long-lived stop signal.
      const onStop = (): void => deadline.abort(new AgentStopping());
      const finish = (decision: Decision): void => {
        if (settled) return;
        settled = true;
        this.#clock.clearTimeout(timer);
        req.signal?.removeEventListener('abort', onStop);
        req.stopSignal?.removeEventListener('abort', onStop);
        resolve(decision);
      };
      // Registered before any Okta call listens: the deadline's answer comes first, in the phase it fired in.
      deadline.signal.addEventListener('abort', () => finish(this.#onError(deadline.signal.reason, ctx)), { once: true });
      // The Okta client may end the request at once when its calls cannot start before the deadline (okta/deadlines.ts).
      registerRequestDeadline(deadline.signal, ctx.deadlineAt, () => deadline.abort(new RequestTimeout()));
      req.signal?.addEventListener('abort', onStop, { once: true });
      req.stopSignal?.addEventListener('abort', onStop, { once: true });
      if (req.signal?.aborted || req.stopSignal?.aborted) {
        onStop();
        return;
      }
      // A late failure after the deadline answered is dropped (finish runs once).
      this.#decide(req, ctx, pre)
        .then((d) => this.#withGroups(d, ctx))
        .then(finish, (e: unknown) => finish(this.#onError(e, ctx)));
    });
  }

  /** On an accept, the listed groups the user is in (within the request's deadline; Okta failures fail closed). */
  async #withGroups(decision: Decision, ctx: RequestCtx): Promise<Decision> {
    const include = this.#app.groups?.include;
    if (decision.result !== 'accept' || decision.reason === 'status-server' || !include || include.length === 0 || !decision.login) return decision;
    if (!this.#okta.listUserGroups) throw new UnexpectedOktaAnswer('This Okta client cannot list groups; remove groups from the app or use the full client.');
    const user = await this.#okta.getUser(decision.login, ctx.signal);
    if (!user) throw new UnexpectedOktaAnswer('The accepted user is gone from Okta.');
    const names = await this.#okta.listUserGroups(user.id, ctx.signal);
    const wanted = new Set(include);
    return { ...decision, groups: names.filter((n) => wanted.has(n)) };
  }

  #onError(e: unknown, ctx: RequestCtx): Decision {
    if (e instanceof RequestTimeout) {
      const mode = this.#app.timeouts.responseModeOnTimeout;
      if (mode === 'always-reject' || (mode === 'reject-when-polling-mfa' && ctx.phase === 'polling-mfa')) {
        return reject('request-timeout', 'Sign-in took too long. Try again.');
      }
      return { result: 'no-response', reason: 'request-timeout' };
    }
    if (e instanceof AgentStopping) return reject('agent-stopping', 'The MFA service is restarting. Try again in a moment.');
    if ((e as { reason?: unknown })?.reason === 'okta-unavailable') {
      return reject('okta-unavailable', 'Okta could not be reached to check your sign-in. Try again later.');
    }
    return reject('internal-error', 'The MFA service failed to check your sign-in. Try again later.');
  }

  /** The checks before any Okta call: a Decision (rejected), or the Okta login to go on with. */
  #precheck(req: Pick<EngineRequest, 'userName' | 'password' | 'protocol'>): Decision | string {
    if (req.protocol !== 'pap') return reject('protocol-not-supported', NOT_PAP_MESSAGE[req.protocol]);
    const login = toOktaLogin(req.userName ?? '', this.#app.usernameFormat);
    if (!login) return reject('user-not-found', 'No user name was sent.');
    // The passcode never contains a comma; the password may, so password,passcode is split at the last one (#decide).
    if (this.#app.mode === 'password-passcode' && (req.password ?? '').lastIndexOf(',') < 0) {
      return reject('password-missing', 'Enter your password, a comma, then your code (password,code) or PUSH.', { login });
    }
    return login;
  }

  async #decide(req: EngineRequest, ctx: RequestCtx, pre: Decision | string): Promise<Decision> {
    if (typeof pre !== 'string') return pre;
    const login = pre;
    const answer = req.password ?? '';

    if (this.#app.mode === 'password-first') {
      if (req.state && req.state.length > 0) return this.#continueSession(req, login, answer, ctx);
      return this.#startSession(req, login, answer, ctx);
    }

    if (this.#app.mode === 'password-passcode') {
      // Split at the last comma (#precheck rejected an answer without one).
      const comma = answer.lastIndexOf(',');
      const opened = await this.#openTransaction(login, answer.slice(0, comma), ctx, req.clientIp);
      if ('decision' in opened) return opened.decision;
      return this.#answer(this.#authnPath(opened.stateToken), login, opened.usable, answer.slice(comma + 1), ctx);
    }

    const found = await this.#resolveUser(login, ctx);
    if ('decision' in found) return found.decision;
    return this.#answer(this.#factorsApiPath(found.user.id), login, found.usable, answer, ctx);
  }

  #factorsApiPath(userId: string): FactorPath {
    const okta = this.#okta;
    return {
      passcode: (factorId, code, signal) => okta.verifyPasscode(userId, factorId, code, signal),
      challenge: (factorId, signal, options) => (options ? okta.challenge(userId, factorId, signal, options) : okta.challenge(userId, factorId, signal)),
      push: (factorId, timeoutMs, signal) => okta.verifyPush(userId, factorId, timeoutMs, signal),
    };
  }

  #authnPath(stateToken: string): FactorPath {
    const okta = this.#okta;
    return {
      passcode: (factorId, code, signal) => okta.authnVerifyPasscode(stateToken, factorId, code, signal),
      challenge: (factorId, signal, options) => (options ? okta.authnChallenge(stateToken, factorId, signal, options) : okta.authnChallenge(stateToken, factorId, signal)),
      push: (factorId, timeoutMs, signal) => okta.authnVerifyPush(stateToken, factorId, timeoutMs, signal),
    };
  }

  /**
   * Password modes: POST /api/v1/authn. MFA_REQUIRED opens the transaction the
   * factor is verified in; SUCCESS means Okta's sign-on policy asks for no second
   * factor, and the sign-in is accepted as Okta's RADIUS agent does.
   */
  async #openTransaction(
    login: string,
    password: string,
    ctx: RequestCtx,
    clientIp?: string,
    canEnrol = false,
  ): Promise<(Transaction & { enrol?: Enrolment }) | { decision: Decision }> {
    if (password.length === 0) return { decision: reject('password-missing', 'Enter your password.', { login }) };
    // Report Client IP (Okta_Radius_App-gen-client-ip.htm): Okta evaluates network zones in the sign-on policy.
    const r = await this.#okta.primaryAuth(login, password, ctx.signal, clientIp ? { clientIp } : undefined);
    switch (r.status) {
      case 'MFA_REQUIRED':
        break;
      case 'SUCCESS': {
        const denied = await this.#assignmentCheck(login, r.userId, ctx);
        return { decision: denied ?? accept('password-accepted', { login }) };
      }
      case 'INVALID_CREDENTIALS':
        return { decision: reject('password-invalid', 'Wrong user name or password.', { login }) };
      case 'LOCKED_OUT':
        return { decision: reject('user-locked-out', 'Your Okta account is locked. Contact your administrator.', { login }) };
      case 'PASSWORD_EXPIRED':
        return { decision: reject('password-expired', 'Your password has expired. Change it, then sign in again.', { login }) };
      case 'MFA_ENROLL':
        if (canEnrol && this.#app.inlineEnrollment) return this.#openEnrolment(login, r.stateToken, r.expiresAt, r.userId, r.enrollable ?? [], ctx);
        return { decision: reject('no-usable-factor', 'Okta requires an MFA factor you have not enrolled. Sign in to Okta to enroll one.', { login }) };
      default:
        return { decision: reject('user-not-active', `Okta could not sign you in (${r.status}). Contact your administrator.`, { login }) };
    }
    if (!r.stateToken) throw new UnexpectedOktaAnswer('Okta answered MFA_REQUIRED without a stateToken.');
    const userId = r.userId ?? (await this.#okta.getUser(login, ctx.signal))?.id;
    if (!userId) throw new UnexpectedOktaAnswer('Okta answered MFA_REQUIRED for a user it cannot find.');
    const denied = await this.#assignmentCheck(login, userId, ctx);
    if (denied) return { decision: denied };
    // Offered = what the transaction lists (Okta's sign-on policy). Its summaries carry no
    // status or enrolment date, so the user's factor list supplies both for the ordering rules.
    const offered = new Set((r.factors ?? []).map((f: OktaFactor) => f.id));
    const listed = await this.#okta.listFactors(userId, ctx.signal);
    const usable = usableFactors(listed.filter((f) => offered.has(f.id)));
    if (usable.length === 0) return { decision: noUsableFactor(login) };
    return { stateToken: r.stateToken, expiresAt: this.#oktaDeadline(r.expiresAt), usable };
  }

  /** MFA_ENROLL with inline enrolment permitted: the transaction the enrolment dialogue continues, or why not. */
  async #openEnrolment(
    login: string,
    stateToken: string | undefined,
    expiresAt: number | undefined,
    userId: string | undefined,
    enrollable: readonly EnrollableFactor[],
    ctx: RequestCtx,
  ): Promise<(Transaction & { enrol: Enrolment }) | { decision: Decision }> {
    if (!stateToken) throw new UnexpectedOktaAnswer('Okta answered MFA_ENROLL without a stateToken.');
    const denied = await this.#assignmentCheck(login, userId, ctx);
    if (denied) return { decision: denied };
    const options = inlineEnrollable(enrollable);
    if (options.length === 0) {
      return { decision: reject('no-usable-factor', 'Okta requires an MFA factor that cannot be enrolled over RADIUS. Sign in to Okta to enroll one.', { login }) };
    }
    if (!this.#okta.authnEnroll || !this.#okta.authnActivate) {
      throw new UnexpectedOktaAnswer('This Okta client cannot enrol factors; turn inline enrolment off or use the full client.');
    }
    return { stateToken, expiresAt: this.#oktaDeadline(expiresAt), usable: [], enrol: userId === undefined ? { options } : { options, userId } };
  }

  /** With an appId: the user must be assigned to the app (Okta's Authn API does not know the app). */
  async #assignmentCheck(login: string, userId: string | undefined, ctx: RequestCtx): Promise<Decision | null> {
    if (!this.#app.appId) return null;
    const id = userId ?? (await this.#okta.getUser(login, ctx.signal))?.id;
    if (!id) return reject('user-not-found', `No Okta user ${login}.`, { login });
    if (await this.#okta.isAssignedToApp(this.#app.appId, id, ctx.signal)) return null;
    return reject('user-not-assigned', 'You are not assigned to this application in Okta. Contact your administrator.', { login });
  }

  async #resolveUser(login: string, ctx: RequestCtx): Promise<{ user: OktaUser; usable: UsableFactor[] } | { decision: Decision }> {
    const user = await this.#okta.getUser(login, ctx.signal);
    if (!user) return { decision: reject('user-not-found', `No Okta user ${login}.`, { login }) };
    if (user.status !== 'ACTIVE') {
      return { decision: reject('user-not-active', 'Your Okta account is not active. Contact your administrator.', { login }) };
    }
    const denied = await this.#assignmentCheck(login, user.id, ctx);
    if (denied) return { decision: denied };
    const usable = usableFactors(await this.#okta.listFactors(user.id, ctx.signal));
    if (usable.length === 0) return { decision: noUsableFactor(login) };
    return { user, usable };
  }

  /** MFA-only and password,passcode: one answer, one decision. */
  async #answer(path: FactorPath, login: string, usable: UsableFactor[], answer: string, ctx: RequestCtx): Promise<Decision> {
    const keyword = parseKeyword(answer);
    if (keyword) {
      if (isDuoUser(usable)) {
        if (!this.#duoKeywords) return duoRefusal(login);
        return this.#duoKeyword(path, login, usable, keyword, ctx);
      }
      const chosen = keywordFactor(usable, keyword);
      if (!chosen) return notEnrolled(login, keyword);
      if (chosen.kind === 'okta-verify-push') return this.#push(path, login, chosen, ctx);
      const r = await path.challenge(chosen.factor.id, ctx.signal);
      if (r.outcome === 'EXPIRED') return transactionExpired(login);
      // The next request opens a new transaction (or is MFA-only): remember which factor got the code.
      const ownTtl = this.#clock.now() + (this.#app.timeouts.otpMs ?? DEFAULT_OTP_MS);
      const expiresAt = Math.min(ownTtl, this.#oktaDeadline(r.expiresAt) ?? ownTtl);
      this.#pendingOtp.set(login, { factorId: chosen.factor.id, kind: chosen.kind }, expiresAt);
      if (r.outcome === 'TOO_SOON') {
        return reject('otp-recently-sent', `A code was sent ${deliveryPhrase(chosen)} less than 30 seconds ago. Sign in with that code, or wait 30 seconds for a new one.`, {
          login,
          factor: chosen.kind,
        });
      }
      return reject('otp-sent', `A code was sent ${deliveryPhrase(chosen)}. Sign in again with the code.`, { login, factor: chosen.kind });
    }
    if (looksLikePasscode(answer)) {
      // The pending SMS / call / email factor first, then the passcode factors in documented order.
      const candidates: UsableFactor[] = [];
      const pending = this.#pendingOtp.get(login);
      const p = pending ? usable.find((u) => u.factor.id === pending.factorId) : undefined;
      if (p) candidates.push(p);
      candidates.push(...passcodeFactors(usable).filter((u) => u !== p));
      return this.#passcode(path, login, candidates, answer.trim(), ctx);
    }
    return reject('answer-not-understood', 'Enter a code, or PUSH, SMS, CALL or EMAIL.', { login });
  }

  async #push(path: FactorPath, login: string, chosen: UsableFactor, ctx: RequestCtx): Promise<Decision> {
    ctx.phase = 'polling-mfa';
    this.#onPushPending?.(1);
    try {
      const r = await path.push(chosen.factor.id, this.pushTimeoutMs, ctx.signal);
      const extra = { login, factor: chosen.kind };
      if (r.outcome === 'SUCCESS') return accept('push-approved', extra);
      if (r.outcome === 'REJECTED') return reject('push-rejected', 'The push was denied on your phone.', extra);
      if (r.outcome === 'EXPIRED') return transactionExpired(login);
      return reject('push-timeout', 'The push was not answered in time. Try again.', extra);
    } finally {
      this.#onPushPending?.(-1);
      ctx.phase = 'lookup';
    }
  }

  /** Tries the code against each candidate in order; the first SUCCESS wins. */
  async #passcode(path: FactorPath, login: string, candidates: readonly UsableFactor[], code: string, ctx: RequestCtx): Promise<Decision> {
    if (candidates.length === 0) {
      return reject('factor-not-enrolled', 'You have no factor that takes a code. Use PUSH, SMS, CALL or EMAIL.', { login });
    }
    ctx.phase = 'verifying';
    for (const c of candidates) {
      const r = await path.passcode(c.factor.id, code, ctx.signal);
      if (r.outcome === 'EXPIRED') return transactionExpired(login);
      if (r.outcome === 'SUCCESS') {
        if (this.#pendingOtp.get(login)?.factorId === c.factor.id) this.#pendingOtp.delete(login);
        return accept('passcode-accepted', { login, factor: c.kind });
      }
    }
    return reject('passcode-invalid', 'The code is not valid. Check it and try again.', { login });
  }

  /** Generic RADIUS app only: Duo over PAP takes PUSH (and SMS) as well as the passcode (Okta_Radius_App.htm). */
  get #duoKeywords(): boolean {
    return this.#app.oktaApp === 'radius';
  }

  /**
   * A Duo user's keyword in the generic RADIUS app: PUSH waits for Duo's answer like an
   * Okta Verify push; SMS asks Okta to send a Duo SMS passcode (then the user signs in with
   * it). CALL and EMAIL are not Duo methods over RADIUS (Okta_Radius_App.htm lists push,
   * SMS and passcode).
   */
  async #duoKeyword(path: FactorPath, login: string, usable: readonly UsableFactor[], keyword: Keyword, ctx: RequestCtx): Promise<Decision> {
    const duo = usable.find((u) => u.kind === 'duo')!;
    if (keyword === 'PUSH') return this.#push(path, login, duo, ctx);
    if (keyword === 'SMS') {
      // Duo's own keyword in the passcode field asks Duo to send the passcode (the mock's duo-sms-verify extension).
      const r = await path.challenge(duo.factor.id, ctx.signal, { passCode: 'sms' });
      if (r.outcome === 'EXPIRED') return transactionExpired(login);
      if (r.outcome === 'TOO_SOON') {
        return reject('otp-recently-sent', 'A Duo passcode was sent by SMS less than 30 seconds ago. Sign in with it, or wait 30 seconds for a new one.', { login, factor: 'duo' });
      }
      return reject('otp-sent', 'A Duo passcode was sent by SMS. Sign in again with the passcode.', { login, factor: 'duo' });
    }
    return reject('factor-not-enrolled', `Duo does not offer ${keyword} over RADIUS: use PUSH, SMS or a Duo passcode.`, { login, factor: 'duo' });
  }

  // ---- password-first (Access-Challenge) ----

  async #startSession(req: EngineRequest, login: string, password: string, ctx: RequestCtx): Promise<Decision> {
    const opened = await this.#openTransaction(login, password, ctx, req.clientIp, true);
    if ('decision' in opened) return opened.decision;
    const session: Session = { ...opened, userName: req.userName ?? '', login };
    if (session.enrol) return this.#startEnrolment(session);
    const menu = choices(opened.usable);
    if (menu.length === 1 && (this.#app.factorMenu ?? 'when-several') === 'when-several') {
      // One option: prompted for it directly (citrix-netscaler-radius-user-exp.htm).
      return this.#onChosen(session, menu[0]!, ctx);
    }
    return this.#challenge(session, 'factor-choice', menuText(menu));
  }

  async #continueSession(req: EngineRequest, login: string, answer: string, ctx: RequestCtx): Promise<Decision> {
    const key = Buffer.from(req.state ?? []).toString('hex');
    const session = this.#sessions.get(key);
    this.#sessions.delete(key); // a State is good for one answer
    if (!session || session.userName !== (req.userName ?? '')) return transactionExpired(login);
    const path = this.#authnPath(session.stateToken);
    const trimmed = answer.trim();
    if (session.enrol) return this.#continueEnrolment(session, session.enrol, trimmed, ctx);
    if (session.awaiting) {
      // The generic RADIUS app's Duo prompt also takes PUSH and SMS (Okta_Radius_App.htm: Duo push, SMS, passcode over PAP).
      const duoKeyword = this.#duoKeywords && session.awaiting.every((u) => u.kind === 'duo') ? parseKeyword(trimmed) : null;
      if (duoKeyword) return this.#duoInSession(session, path, duoKeyword, ctx);
      if (!looksLikePasscode(trimmed)) return reject('passcode-invalid', 'The code is not valid. Start again.', { login });
      return this.#passcode(path, login, session.awaiting, trimmed, ctx);
    }
    const menu = choices(session.usable);
    const byNumber = /^\d{1,2}$/.test(trimmed) ? menu[Number(trimmed) - 1] : undefined;
    const keyword = parseKeyword(trimmed);
    let chosen: UsableFactor | null | undefined = byNumber;
    if (!chosen && keyword) {
      if (isDuoUser(session.usable)) {
        if (!this.#duoKeywords) return duoRefusal(login);
        return this.#duoInSession(session, path, keyword, ctx);
      }
      chosen = keywordFactor(session.usable, keyword);
      if (!chosen) return notEnrolled(login, keyword);
    }
    if (!chosen) {
      if (looksLikePasscode(trimmed)) return this.#passcode(path, login, passcodeFactors(session.usable), trimmed, ctx);
      return reject('answer-not-understood', 'Reply with the number of a factor, or a code. Start again.', { login });
    }
    return this.#onChosen(session, chosen, ctx);
  }

  /** Password-first: a factor was picked (or is the only one): push now, send a code, or ask for one. */
  async #onChosen(session: Session, chosen: UsableFactor, ctx: RequestCtx): Promise<Decision> {
    const { login } = session;
    const path = this.#authnPath(session.stateToken);
    if (chosen.kind === 'okta-verify-push') return this.#push(path, login, chosen, ctx);
    if (chosen.kind === 'sms' || chosen.kind === 'call' || chosen.kind === 'email') {
      // Sent inside the transaction; the code is expected on the next State, in the same transaction.
      const r = await path.challenge(chosen.factor.id, ctx.signal);
      if (r.outcome === 'EXPIRED') return transactionExpired(login);
      // TOO_SOON: Okta won't send another yet; the code already sent still works.
      const when = r.outcome === 'TOO_SOON' ? ' less than 30 seconds ago' : '';
      return this.#challenge({ ...session, awaiting: [chosen] }, 'code-requested', `A code was sent ${deliveryPhrase(chosen)}${when}. Enter it.`);
    }
    // A passcode factor picked by number: ask for its code. Okta Verify codes try every device.
    const kind = chosen.kind;
    const awaiting = kind === 'okta-verify-totp' ? session.usable.filter((u) => u.kind === kind) : [chosen];
    if (kind === 'duo' && this.#duoKeywords) {
      return this.#challenge({ ...session, awaiting }, 'code-requested', 'Enter your Duo passcode, or PUSH for a Duo push, or SMS for a Duo passcode by SMS.');
    }
    return this.#challenge({ ...session, awaiting }, 'code-requested', `Enter your ${FACTOR_LABEL[kind]}.`);
  }

  /**
   * Password-first, generic RADIUS app, a Duo user's keyword inside the transaction: PUSH waits
   * for Duo's answer; SMS has Duo send a passcode and asks for it under a new State (the
   * transaction goes on, unlike MFA-only where the user signs in again); CALL / EMAIL are no
   * Duo methods over RADIUS.
   */
  async #duoInSession(session: Session, path: FactorPath, keyword: Keyword, ctx: RequestCtx): Promise<Decision> {
    const { login } = session;
    const duo = session.usable.find((u) => u.kind === 'duo')!;
    if (keyword === 'PUSH') return this.#push(path, login, duo, ctx);
    if (keyword !== 'SMS') {
      return reject('factor-not-enrolled', `Duo does not offer ${keyword} over RADIUS: use PUSH, SMS or a Duo passcode.`, { login, factor: 'duo' });
    }
    const r = await path.challenge(duo.factor.id, ctx.signal, { passCode: 'sms' });
    if (r.outcome === 'EXPIRED') return transactionExpired(login);
    const when = r.outcome === 'TOO_SOON' ? ' less than 30 seconds ago' : '';
    return this.#challenge({ ...session, awaiting: [duo] }, 'code-requested', `A Duo passcode was sent by SMS${when}. Enter it.`);
  }

  // ---- inline enrolment (password-first, Access-Challenge) ----

  /** One factor to enrol: asked for its phone number at once; several: a numbered menu (as for sign-in factors). */
  #startEnrolment(session: Session): Decision {
    const options = session.enrol?.options ?? [];
    if (options.length === 1 && (this.#app.factorMenu ?? 'when-several') === 'when-several') return this.#askPhone(session, options[0]!);
    const items = options.map((o, i) => `${i + 1} ${ENROL_LABEL[o.factorType] ?? o.factorType}`).join(', ');
    return this.#challenge(session, 'enrol-choice', `You have no MFA factor. Enroll one: ${items}. Reply with its number.`);
  }

  #askPhone(session: Session, chosen: EnrollableFactor, again = false): Decision {
    const enrol: Enrolment = { ...session.enrol!, chosen };
    const what = chosen.factorType === 'call' ? 'voice call' : 'SMS';
    const message = again
      ? 'Okta did not accept that phone number. Enter it with the country code, e.g. +15551234567.'
      : `Enter the phone number for ${what} codes, with the country code (e.g. +15551234567).`;
    return this.#challenge({ ...session, enrol }, 'phone-requested', message);
  }

  async #continueEnrolment(session: Session, enrol: Enrolment, answer: string, ctx: RequestCtx): Promise<Decision> {
    const { login } = session;
    if (enrol.factorId && enrol.chosen) {
      // The activation code sent to the new phone: right → enrolled and signed in (Okta answers SUCCESS).
      const factor = enrol.chosen.factorType;
      if (!looksLikePasscode(answer)) return reject('passcode-invalid', 'The code is not valid. Start again.', { login, factor });
      ctx.phase = 'verifying';
      const r = await this.#okta.authnActivate!(session.stateToken, enrol.factorId, answer, ctx.signal, enrol.userId);
      if (r.outcome === 'EXPIRED') return transactionExpired(login);
      if (r.outcome === 'SUCCESS') return accept('factor-enrolled', { login, factor });
      return reject('passcode-invalid', 'The code is not valid. Start again.', { login, factor });
    }
    if (enrol.chosen) {
      const r = await this.#okta.authnEnroll!(session.stateToken, { ...enrol.chosen, phoneNumber: answer }, ctx.signal);
      switch (r.outcome) {
        case 'EXPIRED':
          return transactionExpired(login);
        case 'REFUSED':
          return reject('enrol-refused', 'Okta does not permit enrolling a factor here. Sign in to Okta to enroll one.', { login });
        case 'INVALID_PROFILE':
          return this.#askPhone(session, enrol.chosen, true);
        case 'CODE_SENT': {
          const how = enrol.chosen.factorType === 'call' ? 'by a voice call' : 'by SMS';
          const next: Session = { ...session, enrol: { ...enrol, factorId: r.factorId } };
          return this.#challenge(next, 'code-requested', `A code was sent ${how} to ${maskPhone(answer)}. Enter it to finish enrolling.`);
        }
      }
    }
    const picked = /^\d{1,2}$/.test(answer) ? enrol.options[Number(answer) - 1] : undefined;
    if (!picked) return reject('answer-not-understood', 'Reply with the number of a factor to enroll. Start again.', { login });
    return this.#askPhone(session, picked);
  }

  /** A new random State for the session; it lives `challengeMs`, and never past Okta's transaction. */
  #challenge(session: Session, reason: 'factor-choice' | 'code-requested' | 'enrol-choice' | 'phone-requested', message: string): Decision {
    const state = this.#newState();
    const ttl = this.#app.timeouts.challengeMs ?? DEFAULT_CHALLENGE_MS;
    const expiresAt = Math.min(this.#clock.now() + ttl, session.expiresAt ?? Number.POSITIVE_INFINITY);
    this.#sessions.set(Buffer.from(state).toString('hex'), session, expiresAt);
    return { result: 'challenge', reason, replyMessage: message, state, login: session.login };
  }

  /**
   * Okta's `expiresAt` as a deadline on the agent's own clock, or undefined when
   * it can't be one. Okta's timestamps come from Okta's clock: one that is
   * already past when the answer arrives only says the two clocks disagree (a
   * skewed host, a test org on another clock), not that the transaction or code
   * is dead — Okta enforces its own expiry on the next call either way. So such
   * a time is ignored and the agent's own lifetimes (otpMs, challengeMs) apply.
   */
  #oktaDeadline(oktaExpiresAt: number | undefined): number | undefined {
    return oktaExpiresAt !== undefined && oktaExpiresAt > this.#clock.now() ? oktaExpiresAt : undefined;
  }

  /** Password-first sessions held (each is one Access-Challenge State), for tests and metrics. */
  get openChallenges(): number {
    return this.#sessions.size;
  }
}

/** How the enrolment menu names a factor type. */
const ENROL_LABEL: Readonly<Record<string, string>> = { sms: 'SMS', call: 'Voice call' };

/**
 * The factor types a user can enrol over RADIUS: a phone for SMS or voice call codes (a number
 * typed, then the code sent to it). Not email: "RADIUS doesn't support inline enrollment with
 * Email" (Okta_Radius_App.htm). Not an authenticator app (Google Authenticator, Okta Verify TOTP
 * or push) nor Duo: the project's own rule where Okta is silent — a RADIUS client cannot show the
 * QR code, and the shared secret in a Reply-Message would cross the RADIUS path in the clear
 * (RFC 2865 §5.18: Reply-Message is not hidden) and land in the client's logs.
 */
export function inlineEnrollable(offered: readonly EnrollableFactor[]): EnrollableFactor[] {
  return offered.filter((f) => (f.factorType === 'sms' || f.factorType === 'call') && f.provider.toUpperCase() === 'OKTA');
}

/** One menu entry per factor kind (the newest enrolment of it); Duo users see Duo only. */
function choices(usable: readonly UsableFactor[]): UsableFactor[] {
  const pool = isDuoUser(usable) ? usable.filter((u) => u.kind === 'duo') : usable;
  const seen = new Set<FactorKind>();
  const out: UsableFactor[] = [];
  for (const u of pool) {
    if (seen.has(u.kind)) continue;
    seen.add(u.kind);
    out.push(u);
  }
  return out;
}

/**
 * The Access-Challenge text of password-first mode: each factor to pick by number
 * and name, where a code goes for SMS / call / email (masked), then how to answer.
 */
export function menuText(menu: readonly UsableFactor[]): string {
  const items = menu.map((c, i) => `${i + 1} ${menuLabel(c)}`).join(', ');
  return `Choose a factor: ${items}. Reply with its number, or enter a code.`;
}

function menuLabel(u: UsableFactor): string {
  const p = u.factor.profile ?? {};
  if (u.kind === 'sms' || u.kind === 'call') return `${FACTOR_LABEL[u.kind]} (${maskPhone(p.phoneNumber)})`;
  if (u.kind === 'email') return `${FACTOR_LABEL[u.kind]} (${maskEmail(p.email)})`;
  return FACTOR_LABEL[u.kind];
}

function noUsableFactor(login: string): Decision {
  return reject('no-usable-factor', 'You have no MFA factor this sign-in can use. Enroll one in Okta first.', { login });
}

function transactionExpired(login: string): Decision {
  return reject('challenge-expired', 'The sign-in expired. Start again.', { login });
}

function duoRefusal(login: string): Decision {
  return reject('duo-keyword-refused', 'Your account uses Duo: sign in with a Duo passcode from the Duo Mobile app.', { login, factor: 'duo' });
}

function notEnrolled(login: string, keyword: Keyword): Decision {
  return reject('factor-not-enrolled', `You have no ${keyword} factor enrolled in Okta. Use another factor.`, { login });
}
