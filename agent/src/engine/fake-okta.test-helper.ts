import type { AuthnResult, OktaApi, OktaFactor, OktaUser, VerifyResult } from '../okta/types.ts';

/**
 * A scriptable OktaApi for engine tests: users, factors, assignments, valid
 * codes per factor, push answers; every call is recorded (without codes).
 */
export interface FakeUser {
  user: OktaUser;
  factors: OktaFactor[];
  password?: string;
  assigned?: boolean;
  /** Factor ids the Authn transaction offers (the sign-on policy); default every ACTIVE factor. [] = no MFA required (SUCCESS). */
  offered?: string[];
  /** Authn status after a right password instead of MFA_REQUIRED / SUCCESS (e.g. 'MFA_ENROLL'). */
  authnStatus?: string;
}

/** One Authn transaction the fake opened (stateToken → user). */
export interface FakeTransaction {
  stateToken: string;
  userId: string;
  expiresAt: number;
}

export type PushScript = 'SUCCESS' | 'REJECTED' | 'TIMEOUT' | 'HANG';

export class FakeOkta implements OktaApi {
  readonly users = new Map<string, FakeUser>();
  /** factorId → the code that verifies. */
  readonly validCodes = new Map<string, string>();
  /** Factors for which Okta refuses to send another code yet (429 E0000109). */
  readonly throttled = new Set<string>();
  /** factorId → how the push ends. */
  readonly pushes = new Map<string, PushScript>();
  readonly calls: Array<{ op: string; factorId?: string; timeoutMs?: number; stateToken?: string }> = [];
  /** Open Authn transactions by stateToken. */
  readonly transactions = new Map<string, FakeTransaction>();
  /** How long a transaction lives (Okta: 5 min); measured on `now`. */
  transactionMs = 300_000;
  /** `expiresAt` of a sent code (epoch ms on Okta's clock); absent = not in the answer. */
  challengeExpiresAt: number | undefined;
  /** The clock the transactions expire on (set by tests that move time). */
  now: () => number = () => 0;
  #nextToken = 0;
  failWith: Error | undefined;
  /** When set, calls hang until aborted. */
  hang = false;
  /** userId → Okta group names. */
  readonly groups = new Map<string, string[]>();

  async listUserGroups(userId: string, signal?: AbortSignal): Promise<string[]> {
    this.calls.push({ op: 'listUserGroups' });
    await this.#gate(signal);
    return [...(this.groups.get(userId) ?? [])];
  }

  addUser(login: string, factors: Array<Partial<OktaFactor> & Pick<OktaFactor, 'id' | 'factorType'>>, extra: Partial<FakeUser> = {}): FakeUser {
    const u: FakeUser = {
      user: { id: `u-${login}`, status: 'ACTIVE', profile: { login } },
      factors: factors.map((f) => ({ provider: 'OKTA', status: 'ACTIVE', ...f })),
      assigned: true,
      ...extra,
    };
    this.users.set(login, u);
    return u;
  }

  #byId(userId: string): FakeUser | undefined {
    for (const u of this.users.values()) if (u.user.id === userId) return u;
    return undefined;
  }

  async #gate(signal?: AbortSignal): Promise<void> {
    if (this.failWith) throw this.failWith;
    if (this.hang) {
      await new Promise((_, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
  }

  async getUser(login: string, signal?: AbortSignal): Promise<OktaUser | null> {
    this.calls.push({ op: 'getUser' });
    await this.#gate(signal);
    return this.users.get(login)?.user ?? null;
  }

  async listFactors(userId: string, signal?: AbortSignal): Promise<OktaFactor[]> {
    this.calls.push({ op: 'listFactors' });
    await this.#gate(signal);
    return this.#byId(userId)?.factors ?? [];
  }

  async isAssignedToApp(_appId: string, userId: string, signal?: AbortSignal): Promise<boolean> {
    this.calls.push({ op: 'isAssignedToApp' });
    await this.#gate(signal);
    return this.#byId(userId)?.assigned ?? false;
  }

  async verifyPasscode(_userId: string, factorId: string, passCode: string, signal?: AbortSignal): Promise<VerifyResult> {
    this.calls.push({ op: 'verifyPasscode', factorId });
    await this.#gate(signal);
    return { outcome: this.validCodes.get(factorId) === passCode ? 'SUCCESS' : 'INVALID' };
  }

  async challenge(_userId: string, factorId: string, signal?: AbortSignal): Promise<VerifyResult> {
    this.calls.push({ op: 'challenge', factorId });
    await this.#gate(signal);
    const outcome = this.throttled.has(factorId) ? 'TOO_SOON' : 'CHALLENGE';
    return this.challengeExpiresAt === undefined ? { outcome } : { outcome, expiresAt: this.challengeExpiresAt };
  }

  async verifyPush(_userId: string, factorId: string, timeoutMs: number, signal?: AbortSignal): Promise<VerifyResult> {
    this.calls.push({ op: 'verifyPush', factorId, timeoutMs });
    await this.#gate(signal);
    const script = this.pushes.get(factorId) ?? 'TIMEOUT';
    if (script === 'HANG') {
      await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
    return { outcome: script === 'HANG' ? 'TIMEOUT' : script };
  }

  /** The client IPs primaryAuth was told about, in order. */
  readonly clientIps: Array<string | undefined> = [];

  async primaryAuth(username: string, password: string, signal?: AbortSignal, context?: { clientIp?: string }): Promise<AuthnResult> {
    this.calls.push({ op: 'primaryAuth' });
    this.clientIps.push(context?.clientIp);
    await this.#gate(signal);
    const u = this.users.get(username);
    if (!u || u.password !== password) return { status: 'INVALID_CREDENTIALS' };
    if (u.user.status === 'LOCKED_OUT') return { status: 'LOCKED_OUT' };
    if (u.authnStatus) return { status: u.authnStatus };
    const offered = u.offered ?? u.factors.filter((f) => f.status === 'ACTIVE').map((f) => f.id);
    if (offered.length === 0) return { status: 'SUCCESS', userId: u.user.id };
    const t: FakeTransaction = { stateToken: `00st-${++this.#nextToken}`, userId: u.user.id, expiresAt: this.now() + this.transactionMs };
    this.transactions.set(t.stateToken, t);
    // Authn factor summaries: id, type, provider, masked profile; no status, no created.
    const factors = u.factors
      .filter((f) => offered.includes(f.id))
      .map((f) => ({ id: f.id, factorType: f.factorType, provider: f.provider }) as OktaFactor);
    return { status: 'MFA_REQUIRED', stateToken: t.stateToken, expiresAt: t.expiresAt, userId: u.user.id, factors };
  }

  #transaction(stateToken: string): FakeTransaction | undefined {
    const t = this.transactions.get(stateToken);
    if (t && t.expiresAt <= this.now()) {
      this.transactions.delete(stateToken);
      return undefined;
    }
    return t;
  }

  async authnVerifyPasscode(stateToken: string, factorId: string, passCode: string, signal?: AbortSignal): Promise<VerifyResult> {
    this.calls.push({ op: 'authnVerifyPasscode', factorId, stateToken });
    await this.#gate(signal);
    const t = this.#transaction(stateToken);
    if (!t) return { outcome: 'EXPIRED' };
    if (this.validCodes.get(factorId) !== passCode) return { outcome: 'INVALID' };
    this.transactions.delete(stateToken);
    return { outcome: 'SUCCESS' };
  }

  async authnChallenge(stateToken: string, factorId: string, signal?: AbortSignal): Promise<VerifyResult> {
    this.calls.push({ op: 'authnChallenge', factorId, stateToken });
    await this.#gate(signal);
    return { outcome: this.#transaction(stateToken) ? 'CHALLENGE' : 'EXPIRED' };
  }

  async authnVerifyPush(stateToken: string, factorId: string, timeoutMs: number, signal?: AbortSignal): Promise<VerifyResult> {
    this.calls.push({ op: 'authnVerifyPush', factorId, timeoutMs, stateToken });
    await this.#gate(signal);
    if (!this.#transaction(stateToken)) return { outcome: 'EXPIRED' };
    const script = this.pushes.get(factorId) ?? 'TIMEOUT';
    if (script === 'HANG') {
      await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
    if (script === 'SUCCESS') this.transactions.delete(stateToken);
    return { outcome: script === 'HANG' ? 'TIMEOUT' : script };
  }

  ops(): string[] {
    return this.calls.map((c) => c.op);
  }
}
