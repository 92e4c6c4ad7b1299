import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { OktaApi, OktaUser } from '../okta/types.ts';
import {
  deliveryPhrase,
  FACTOR_LABEL,
  type FactorKind,
  isDuoUser,
  type Keyword,
  keywordFactor,
  looksLikePasscode,
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
 */

export type AppMode = 'mfa-only' | 'password-passcode' | 'password-first';

/** As the real agent's ragent.request.timeout.response.mode (SEND_REJECT_ON_POLL_MFA, SEND_REJECT_ALWAYS, SEND_NO_RESPONSE). */
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
    /** How long an Access-Challenge State stays valid (default 300000). */
    challengeMs?: number;
  };
}

export interface EngineRequest {
  userName: string | undefined;
  /** The clear User-Password (PAP), undefined when absent. */
  password: string | undefined;
  protocol: AuthProtocol;
  /** State from a previous Access-Challenge. */
  state?: Uint8Array | undefined;
  /** Aborted when the agent stops (in-flight requests are rejected). */
  signal?: AbortSignal | undefined;
}

export interface EngineOptions {
  app: EngineAppConfig;
  okta: OktaApi;
  clock: Clock;
  /** State values for challenges; random 16 bytes by default. */
  newState?: () => Uint8Array;
  /** Told +1 when a push starts waiting and -1 when it ends (pending-pushes gauge). */
  onPushPending?: (delta: 1 | -1) => void;
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

interface Session {
  userName: string;
  login: string;
  userId: string;
  usable: UsableFactor[];
  /** The factor whose code is expected next; absent while the user picks a factor. */
  awaiting?: UsableFactor;
}

class RequestTimeout extends Error {}
class AgentStopping extends Error {}

const DEFAULT_OTP_MS = 300_000;
const DEFAULT_CHALLENGE_MS = 300_000;

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
    this.#sessions = new TtlMap(options.clock);
  }

  get app(): EngineAppConfig {
    return this.#app;
  }

  /** Push wait for this app: configured, else half the total request timeout. */
  get pushTimeoutMs(): number {
    return this.#app.timeouts.pushMs ?? Math.floor(this.#app.timeouts.totalRequestMs / 2);
  }

  async authenticate(req: EngineRequest): Promise<Decision> {
    const totalMs = this.#app.timeouts.totalRequestMs;
    const deadline = new AbortController();
    const ctx: RequestCtx = { phase: 'lookup', signal: deadline.signal, deadlineAt: this.#clock.now() + totalMs };
    const timer = this.#clock.setTimeout(() => deadline.abort(new RequestTimeout()), totalMs);
    const onStop = (): void => deadline.abort(new AgentStopping());
    req.signal?.addEventListener('abort', onStop, { once: true });
    if (req.signal?.aborted) onStop();
    // The race makes the deadline win even if an Okta call ignores its abort signal.
    const aborted = new Promise<never>((_, rejectP) => {
      if (deadline.signal.aborted) rejectP(deadline.signal.reason);
      deadline.signal.addEventListener('abort', () => rejectP(deadline.signal.reason), { once: true });
    });
    const work = this.#decide(req, ctx);
    work.catch(() => {}); // a late failure after the deadline won is already answered
    aborted.catch(() => {});
    try {
      return await Promise.race([work, aborted]);
    } catch (e) {
      return this.#onError(e, ctx);
    } finally {
      this.#clock.clearTimeout(timer);
      req.signal?.removeEventListener('abort', onStop);
    }
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

  async #decide(req: EngineRequest, ctx: RequestCtx): Promise<Decision> {
    if (req.protocol !== 'pap') {
      const what = req.protocol === 'none' ? 'The request has no password.' : `${PROTOCOL_LABEL[req.protocol]} is not supported.`;
      return reject('protocol-not-supported', `${what} Set the RADIUS client to PAP.`);
    }
    const login = toOktaLogin(req.userName ?? '', this.#app.usernameFormat);
    if (!login) return reject('user-not-found', 'No user name was sent.');
    const answer = req.password ?? '';

    if (this.#app.mode === 'password-first') {
      if (req.state && req.state.length > 0) return this.#continueSession(req, login, answer, ctx);
      return this.#startSession(req, login, answer, ctx);
    }

    let mfaAnswer = answer;
    if (this.#app.mode === 'password-passcode') {
      // The passcode never contains a comma; the password may, so split at the last one.
      const comma = answer.lastIndexOf(',');
      if (comma < 0) return reject('password-missing', 'Enter your password, a comma, then your code (password,code) or PUSH.', { login });
      const denied = await this.#primaryAuth(login, answer.slice(0, comma), ctx);
      if (denied) return denied;
      mfaAnswer = answer.slice(comma + 1);
    }

    const found = await this.#resolveUser(login, ctx);
    if ('decision' in found) return found.decision;
    return this.#answer(found.user, login, found.usable, mfaAnswer, ctx);
  }

  async #primaryAuth(login: string, password: string, ctx: RequestCtx): Promise<Decision | null> {
    if (password.length === 0) return reject('password-missing', 'Enter your password.', { login });
    const r = await this.#okta.primaryAuth(login, password, ctx.signal);
    switch (r.status) {
      case 'SUCCESS':
      case 'MFA_REQUIRED':
      case 'MFA_ENROLL':
      case 'PASSWORD_WARN':
        return null;
      case 'INVALID_CREDENTIALS':
        return reject('password-invalid', 'Wrong user name or password.', { login });
      case 'LOCKED_OUT':
        return reject('user-locked-out', 'Your Okta account is locked. Contact your administrator.', { login });
      case 'PASSWORD_EXPIRED':
        return reject('password-expired', 'Your password has expired. Change it, then sign in again.', { login });
      default:
        return reject('user-not-active', `Okta could not sign you in (${r.status}). Contact your administrator.`, { login });
    }
  }

  async #resolveUser(login: string, ctx: RequestCtx): Promise<{ user: OktaUser; usable: UsableFactor[] } | { decision: Decision }> {
    const user = await this.#okta.getUser(login, ctx.signal);
    if (!user) return { decision: reject('user-not-found', `No Okta user ${login}.`, { login }) };
    if (user.status !== 'ACTIVE') {
      return { decision: reject('user-not-active', 'Your Okta account is not active. Contact your administrator.', { login }) };
    }
    if (this.#app.appId) {
      const assigned = await this.#okta.isAssignedToApp(this.#app.appId, user.id, ctx.signal);
      if (!assigned) {
        return { decision: reject('user-not-assigned', 'You are not assigned to this application in Okta. Contact your administrator.', { login }) };
      }
    }
    const usable = usableFactors(await this.#okta.listFactors(user.id, ctx.signal));
    if (usable.length === 0) {
      return { decision: reject('no-usable-factor', 'You have no MFA factor this sign-in can use. Enroll one in Okta first.', { login }) };
    }
    return { user, usable };
  }

  /** MFA-only and password,passcode: one answer, one decision. */
  async #answer(user: OktaUser, login: string, usable: UsableFactor[], answer: string, ctx: RequestCtx): Promise<Decision> {
    const keyword = parseKeyword(answer);
    if (keyword) {
      if (isDuoUser(usable)) return duoRefusal(login);
      const chosen = keywordFactor(usable, keyword);
      if (!chosen) return notEnrolled(login, keyword);
      if (chosen.kind === 'okta-verify-push') return this.#push(user.id, login, chosen, ctx);
      await this.#sendCode(user.id, login, chosen, ctx);
      return reject('otp-sent', `A code was sent ${deliveryPhrase(chosen)}. Sign in again with the code.`, { login, factor: chosen.kind });
    }
    if (looksLikePasscode(answer)) return this.#passcode(user.id, login, usable, answer.trim(), ctx);
    return reject('answer-not-understood', 'Enter a code, or PUSH, SMS, CALL or EMAIL.', { login });
  }

  async #push(userId: string, login: string, chosen: UsableFactor, ctx: RequestCtx): Promise<Decision> {
    ctx.phase = 'polling-mfa';
    this.#onPushPending?.(1);
    try {
      const r = await this.#okta.verifyPush(userId, chosen.factor.id, this.pushTimeoutMs, ctx.signal);
      const extra = { login, factor: chosen.kind };
      if (r.outcome === 'SUCCESS') return accept('push-approved', extra);
      if (r.outcome === 'REJECTED') return reject('push-rejected', 'The push was denied on your phone.', extra);
      return reject('push-timeout', 'The push was not answered in time. Try again.', extra);
    } finally {
      this.#onPushPending?.(-1);
      ctx.phase = 'lookup';
    }
  }

  async #sendCode(userId: string, login: string, chosen: UsableFactor, ctx: RequestCtx): Promise<void> {
    const r = await this.#okta.challenge(userId, chosen.factor.id, ctx.signal);
    const expiresAt = r.expiresAt ?? this.#clock.now() + (this.#app.timeouts.otpMs ?? DEFAULT_OTP_MS);
    this.#pendingOtp.set(login, { factorId: chosen.factor.id, kind: chosen.kind }, expiresAt);
  }

  /** The pending SMS / call / email factor first, then the passcode factors in documented order; first SUCCESS wins. */
  async #passcode(userId: string, login: string, usable: UsableFactor[], code: string, ctx: RequestCtx): Promise<Decision> {
    const candidates: UsableFactor[] = [];
    const pending = this.#pendingOtp.get(login);
    if (pending) {
      const p = usable.find((u) => u.factor.id === pending.factorId);
      if (p) candidates.push(p);
    }
    candidates.push(...passcodeFactors(usable));
    if (candidates.length === 0) {
      return reject('factor-not-enrolled', 'You have no factor that takes a code. Use PUSH, SMS, CALL or EMAIL.', { login });
    }
    ctx.phase = 'verifying';
    for (const c of candidates) {
      const r = await this.#okta.verifyPasscode(userId, c.factor.id, code, ctx.signal);
      if (r.outcome === 'SUCCESS') {
        if (pending?.factorId === c.factor.id) this.#pendingOtp.delete(login);
        return accept('passcode-accepted', { login, factor: c.kind });
      }
    }
    return reject('passcode-invalid', 'The code is not valid. Check it and try again.', { login });
  }

  // ---- password-first (Access-Challenge) ----

  async #startSession(req: EngineRequest, login: string, password: string, ctx: RequestCtx): Promise<Decision> {
    const denied = await this.#primaryAuth(login, password, ctx);
    if (denied) return denied;
    const found = await this.#resolveUser(login, ctx);
    if ('decision' in found) return found.decision;
    const session: Session = { userName: req.userName ?? '', login, userId: found.user.id, usable: found.usable };
    const menu = choices(found.usable);
    const lines = menu.map((c, i) => `${i + 1} ${FACTOR_LABEL[c.kind]}`).join(', ');
    return this.#challenge(session, 'factor-choice', `Choose a factor: ${lines}. Reply with its number, or enter a code.`);
  }

  async #continueSession(req: EngineRequest, login: string, answer: string, ctx: RequestCtx): Promise<Decision> {
    const key = Buffer.from(req.state ?? []).toString('hex');
    const session = this.#sessions.get(key);
    this.#sessions.delete(key); // a State is good for one answer
    if (!session || session.userName !== (req.userName ?? '')) {
      return reject('challenge-expired', 'The sign-in expired. Start again.', { login });
    }
    if (session.awaiting) {
      if (!looksLikePasscode(answer)) return reject('passcode-invalid', 'The code is not valid. Start again.', { login });
      return this.#passcode(session.userId, login, [session.awaiting], answer.trim(), ctx);
    }
    const menu = choices(session.usable);
    const trimmed = answer.trim();
    const byNumber = /^\d{1,2}$/.test(trimmed) ? menu[Number(trimmed) - 1] : undefined;
    const keyword = parseKeyword(trimmed);
    let chosen: UsableFactor | null | undefined = byNumber;
    if (!chosen && keyword) {
      if (isDuoUser(session.usable)) return duoRefusal(login);
      chosen = keywordFactor(session.usable, keyword);
      if (!chosen) return notEnrolled(login, keyword);
    }
    if (!chosen) {
      if (looksLikePasscode(trimmed)) return this.#passcode(session.userId, login, session.usable, trimmed, ctx);
      return reject('answer-not-understood', 'Reply with the number of a factor, or a code. Start again.', { login });
    }
    if (chosen.kind === 'okta-verify-push') return this.#push(session.userId, login, chosen, ctx);
    if (chosen.kind === 'sms' || chosen.kind === 'call' || chosen.kind === 'email') {
      await this.#sendCode(session.userId, login, chosen, ctx);
      return this.#challenge({ ...session, awaiting: chosen }, 'code-requested', `A code was sent ${deliveryPhrase(chosen)}. Enter it.`);
    }
    // A passcode factor picked by number: ask for its code. Okta Verify codes try every device.
    const awaiting = chosen.kind === 'okta-verify-totp' ? undefined : chosen;
    const next: Session = awaiting ? { ...session, awaiting } : { ...session, usable: session.usable.filter((u) => u.kind === 'okta-verify-totp') };
    return this.#challenge(next, 'code-requested', `Enter your ${FACTOR_LABEL[chosen.kind]}.`);
  }

  #challenge(session: Session, reason: 'factor-choice' | 'code-requested', message: string): Decision {
    const state = this.#newState();
    const ttl = this.#app.timeouts.challengeMs ?? DEFAULT_CHALLENGE_MS;
    this.#sessions.set(Buffer.from(state).toString('hex'), session, this.#clock.now() + ttl);
    return { result: 'challenge', reason, replyMessage: message, state, login: session.login };
  }
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

function duoRefusal(login: string): Decision {
  return reject('duo-keyword-refused', 'Your account uses Duo: sign in with a Duo passcode from the Duo Mobile app.', { login, factor: 'duo' });
}

function notEnrolled(login: string, keyword: Keyword): Decision {
  return reject('factor-not-enrolled', `You have no ${keyword} factor enrolled in Okta. Use another factor.`, { login });
}
