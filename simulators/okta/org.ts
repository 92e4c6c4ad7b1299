/**
 * The mock Okta org: users, groups, apps and assignments, factors, push
 * transactions, one-time codes, API tokens, faults and an event log — the state
 * behind the msw handlers (handlers.ts), driven by one injected clock.
 *
 * Admin methods mirror what an Okta admin does; errors are OktaApiError with
 * Okta's status / errorCode, so the HTTP layer and direct callers agree.
 * Secrets (passwords, TOTP secrets, codes, API tokens) never reach the event log.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock, TimerHandle } from '../../agent/src/clock.ts';
import { CodedError } from '../../agent/src/errors.ts';
import { AuthnService } from './authn.ts';
import type { FactorDelivery, PushAnswer } from './delivery.ts';
import { EventLog, type OrgEvent } from './event-log.ts';
import { Faults, RateLimiter } from './faults.ts';
import { ID_PREFIX, IdGenerator } from './ids.ts';
import { OktaApiError } from './okta-errors.ts';
import { checkTotp, newTotpSecret, TOTP_PERIOD_S, totpUri, useTotpStep } from './totp.ts';
import type {
  ApiTokenRecord,
  AppRecord,
  DuoPasscodeChecker,
  EnrollFactorInput,
  EnrollFactorResult,
  FactorProvider,
  FactorRecord,
  FactorType,
  GroupRecord,
  OneTimeCodeRecord,
  PushStatus,
  PushTransaction,
  RateLimitSetting,
  UserProfile,
  UserRecord,
  UserStatus,
  VerifyOutcome,
} from './types.ts';

export type * from './types.ts';
export type { OrgEvent } from './event-log.ts';

/** Okta Verify push challenges expire after five minutes. */
export const PUSH_LIFETIME_MS = 5 * 60_000;
/** SMS / voice / email codes live five minutes (Okta's default tokenLifetimeSeconds=300). */
export const ONE_TIME_CODE_LIFETIME_MS = 5 * 60_000;
/** Okta allows one SMS / call challenge per phone number every 30 seconds. */
export const PHONE_CHALLENGE_INTERVAL_MS = 30_000;
/** Failed primary authentications before LOCKED_OUT (Okta's password policy default is 10). */
export const DEFAULT_LOCKOUT_THRESHOLD = 10;

export interface OktaOrgOptions {
  clock: Clock;
  /** How pushes and codes reach devices; defaults to dropping them (nobody's phone). */
  delivery?: FactorDelivery;
  /** Base URL used in `_links` (and by startOktaServer when not overridden). */
  orgUrl?: string;
  /** Seed for deterministic ids and codes. */
  seed?: number;
  /** Failed primary authentications before the user is LOCKED_OUT; 0 disables. */
  lockoutThreshold?: number;
  /** What an Okta Verify push shows. */
  pushMessage?: string;
}

export interface CreateUserInput {
  profile: Partial<UserProfile> & { login: string };
  password?: string;
  /** As `POST /api/v1/users?activate=…`: default true (ACTIVE with a password, else PROVISIONED). */
  activate?: boolean;
  /** Seeding: put the user straight into this status. */
  status?: UserStatus;
}

export interface CreateAppInput {
  label: string;
  /** Okta app name; default "radius". */
  name?: string;
  signOnMode?: string;
  /** A fixed app id (an agent configured once meets every lab built with it); default: generated. */
  id?: string;
}

export interface VerifyFactorInput {
  passCode?: string;
}

/** What a Duo user types (in the passcode field) to have Duo send a passcode by SMS: Duo's own keyword. */
export const DUO_SMS_KEYWORD = 'sms';

/** Delivery channel of each one-time-code factor type. */
const CHANNEL: Record<'sms' | 'call' | 'email', 'sms' | 'call' | 'email'> = { sms: 'sms', call: 'call', email: 'email' };

const NOWHERE: FactorDelivery = { push: () => {}, oneTimeCode: () => {} };

const PROVIDERS: Record<FactorType, readonly FactorProvider[]> = {
  'token:software:totp': ['OKTA', 'GOOGLE'],
  push: ['OKTA'],
  sms: ['OKTA'],
  call: ['OKTA'],
  email: ['OKTA'],
  web: ['DUO'],
};

export class OktaOrg {
  readonly clock: Clock;
  readonly orgUrl: string;
  readonly events: EventLog;
  readonly faults = new Faults();
  readonly rateLimiter = new RateLimiter();
  /** The Authn API state (password-first mode). */
  readonly authn: AuthnService;
  delivery: FactorDelivery;
  lockoutThreshold: number;
  /**
   * Failed MFA verifications in a row before the user is LOCKED_OUT (0: never).
   * The project's own rule for the mock: no Okta page found states the count
   * for factor verifications, so it follows the password policy's default (10);
   * scenarios set it lower to show the lockout.
   */
  factorLockoutThreshold: number;
  pushMessage: string;

  readonly #ids: IdGenerator;
  readonly #users = new Map<string, UserRecord>();
  readonly #loginIndex = new Map<string, string>();
  /** userId → salted SHA-256 of the password, base64 (a string: no Buffer per user for the GC to track). */
  readonly #passwords = new Map<string, string>();
  readonly #groups = new Map<string, GroupRecord>();
  #numberChallenge = false;
  #radiusNumberChallengeDisabled = false;
  readonly #apps = new Map<string, AppRecord>();
  readonly #factors = new Map<string, FactorRecord>();
  /** userId → that user's factors in enrolment order: listFactors must not scan the org (flat to 100,000 users). */
  readonly #factorsByUser = new Map<string, Map<string, FactorRecord>>();
  readonly #pushes = new Map<string, PushTransaction>();
  readonly #pushTimers = new Map<string, TimerHandle>();
  /** factorId → outstanding code (challenge or activation). */
  readonly #codes = new Map<string, OneTimeCodeRecord>();
  readonly #tokens = new Map<string, ApiTokenRecord>();
  /** factorId → the [user, factor] targets and the details its events share (#logFactor). */
  readonly #factorEvents = new Map<string, { target: readonly OrgEvent['target'][number][]; detail: Readonly<OrgEvent['debugContext']> }>();

  constructor(options: OktaOrgOptions) {
    this.clock = options.clock;
    this.delivery = options.delivery ?? NOWHERE;
    this.orgUrl = (options.orgUrl ?? 'https://mock.okta.example').replace(/\/+$/, '');
    this.#ids = new IdGenerator(options.seed);
    this.events = new EventLog(() => this.clock.now());
    this.lockoutThreshold = options.lockoutThreshold ?? DEFAULT_LOCKOUT_THRESHOLD;
    this.factorLockoutThreshold = DEFAULT_LOCKOUT_THRESHOLD;
    this.pushMessage = options.pushMessage ?? 'Did you just try to sign in?';
    this.authn = new AuthnService(this, this.#ids);
  }

  now(): number {
    return this.clock.now();
  }

  // ─── users ──────────────────────────────────────────────────────────────

  createUser(input: CreateUserInput): UserRecord {
    const login = input.profile.login?.trim();
    if (!login) throw new OktaApiError('E0000001', ['login: The field cannot be left blank']);
    if (this.#loginIndex.has(login.toLowerCase())) {
      throw new OktaApiError('E0000001', ['login: An object with this field already exists in the current organization']);
    }
    const now = this.now();
    const local = login.split('@')[0] ?? login;
    const profile: UserProfile = {
      login,
      email: input.profile.email ?? (login.includes('@') ? login : `${login}@example.com`),
      firstName: input.profile.firstName ?? local,
      lastName: input.profile.lastName ?? 'User',
      mobilePhone: input.profile.mobilePhone ?? null,
    };
    const activate = input.activate ?? true;
    const status: UserStatus = input.status ?? (!activate ? 'STAGED' : input.password ? 'ACTIVE' : 'PROVISIONED');
    const user: UserRecord = {
      id: this.#ids.id(ID_PREFIX.user),
      status,
      profile,
      created: now,
      activated: status === 'STAGED' ? null : now,
      statusChanged: status === 'STAGED' ? null : now,
      lastLogin: null,
      lastUpdated: now,
      passwordChanged: input.password ? now : null,
      failedPasswordAttempts: 0,
      failedFactorAttempts: 0,
    };
    this.#users.set(user.id, user);
    this.#loginIndex.set(login.toLowerCase(), user.id);
    if (input.password !== undefined) this.#passwords.set(user.id, hashPassword(user.id, input.password));
    this.#log(user, 'user.lifecycle.create', 'SUCCESS');
    if (status !== 'STAGED') this.#log(user, 'user.lifecycle.activate', 'SUCCESS');
    return user;
  }

  /** By id or login (case-insensitive), as GET /api/v1/users/{idOrLogin}. */
  getUser(idOrLogin: string): UserRecord | undefined {
    return this.#users.get(idOrLogin) ?? this.#users.get(this.#loginIndex.get(idOrLogin.toLowerCase()) ?? '');
  }

  /** Like getUser; throws 404 E0000007 when there is none. */
  requireUser(idOrLogin: string): UserRecord {
    const u = this.getUser(idOrLogin);
    if (!u) throw new OktaApiError('E0000007', [], `Not found: Resource not found: ${idOrLogin} (User)`);
    return u;
  }

  listUsers(): UserRecord[] {
    return [...this.#users.values()];
  }

  activateUser(userId: string): UserRecord {
    const u = this.requireUser(userId);
    if (u.status === 'ACTIVE') throw new OktaApiError('E0000016');
    return this.#setStatus(u, this.#passwords.has(u.id) ? 'ACTIVE' : 'PROVISIONED', 'user.lifecycle.activate', (x) => {
      x.activated = this.now();
    });
  }

  suspendUser(userId: string): UserRecord {
    const u = this.requireUser(userId);
    if (u.status !== 'ACTIVE') throw new OktaApiError('E0000001', ['Cannot suspend a user that is not active']);
    return this.#setStatus(u, 'SUSPENDED', 'user.lifecycle.suspend');
  }

  unsuspendUser(userId: string): UserRecord {
    const u = this.requireUser(userId);
    if (u.status !== 'SUSPENDED') throw new OktaApiError('E0000001', ['Cannot unsuspend a user that is not suspended']);
    return this.#setStatus(u, 'ACTIVE', 'user.lifecycle.unsuspend');
  }

  /** Harness: what too many failed sign-ins do. */
  lockUser(userId: string): UserRecord {
    const u = this.requireUser(userId);
    return this.#setStatus(u, 'LOCKED_OUT', 'user.account.lock');
  }

  unlockUser(userId: string): UserRecord {
    const u = this.requireUser(userId);
    if (u.status !== 'LOCKED_OUT') throw new OktaApiError('E0000038', [], 'This operation is not allowed in the user\'s current status.');
    u.failedPasswordAttempts = 0;
    u.failedFactorAttempts = 0;
    return this.#setStatus(u, 'ACTIVE', 'user.account.unlock');
  }

  /** POST /lifecycle/deactivate: the user becomes DEPROVISIONED. */
  deactivateUser(userId: string): UserRecord {
    const u = this.requireUser(userId);
    return this.#setStatus(u, 'DEPROVISIONED', 'user.lifecycle.deactivate');
  }

  /**
   * DELETE /api/v1/users/{id}, as Okta documents it: a user who is not yet
   * DEPROVISIONED is deactivated (the first delete); a DEPROVISIONED one is
   * removed for good, with factors, codes, app assignments and group
   * memberships. Returns true when the user is gone.
   */
  deleteUser(userId: string): boolean {
    const u = this.requireUser(userId);
    if (u.status !== 'DEPROVISIONED') {
      this.deactivateUser(u.id);
      return false;
    }
    this.#log(u, 'user.lifecycle.delete.initiated', 'SUCCESS');
    this.#users.delete(u.id);
    this.#loginIndex.delete(u.profile.login.toLowerCase());
    this.#passwords.delete(u.id);
    for (const id of [...(this.#factorsByUser.get(u.id)?.keys() ?? [])]) {
      this.#removeFactor(id);
      this.#codes.delete(id);
    }
    for (const app of this.#apps.values()) app.users.delete(u.id);
    for (const g of this.#groups.values()) g.members.delete(u.id);
    return true;
  }

  /** Alias of deactivateUser, in the words of the admin console. */
  deprovision(userId: string): UserRecord {
    return this.deactivateUser(userId);
  }

  expirePassword(userId: string): UserRecord {
    const u = this.requireUser(userId);
    return this.#setStatus(u, 'PASSWORD_EXPIRED', 'user.account.update_password');
  }

  setPassword(userId: string, password: string): UserRecord {
    const u = this.requireUser(userId);
    this.#passwords.set(u.id, hashPassword(u.id, password));
    u.passwordChanged = this.now();
    u.lastUpdated = this.now();
    this.#log(u, 'user.account.update_password', 'SUCCESS');
    if (u.status === 'PASSWORD_EXPIRED' || u.status === 'PROVISIONED') u.status = 'ACTIVE';
    return u;
  }

  /** Compares in constant time; never records the password. */
  checkPassword(userId: string, password: string): boolean {
    const stored = this.#passwords.get(userId);
    if (!stored) return false;
    return constantTimeEqual(stored, hashPassword(userId, password));
  }

  // ─── groups and apps ────────────────────────────────────────────────────

  createGroup(input: { name: string; description?: string }): GroupRecord {
    const g: GroupRecord = {
      id: this.#ids.id(ID_PREFIX.group),
      name: input.name,
      description: input.description ?? '',
      members: new Set(),
      created: this.now(),
    };
    this.#groups.set(g.id, g);
    this.events.append({ eventType: 'group.lifecycle.create', outcome: { result: 'SUCCESS' }, target: [{ id: g.id, type: 'Group', alternateId: g.name }] });
    return g;
  }

  getGroup(idOrName: string): GroupRecord | undefined {
    return this.#groups.get(idOrName) ?? [...this.#groups.values()].find((g) => g.name === idOrName);
  }

  addToGroup(groupId: string, userId: string): void {
    const g = this.getGroup(groupId);
    if (!g) throw new OktaApiError('E0000007', [], `Not found: Resource not found: ${groupId} (UserGroup)`);
    const u = this.requireUser(userId);
    g.members.add(u.id);
    this.#log(u, 'group.user_membership.add', 'SUCCESS', [{ id: g.id, type: 'Group', alternateId: g.name }]);
  }

  groupsOf(userId: string): GroupRecord[] {
    const u = this.requireUser(userId);
    return [...this.#groups.values()].filter((g) => g.members.has(u.id));
  }

  createApp(input: CreateAppInput): AppRecord {
    if (input.id !== undefined && this.#apps.has(input.id)) throw new CodedError('OKTA_APP_EXISTS', `The org already has an app ${input.id}; give another id.`);
    const app: AppRecord = {
      id: input.id ?? this.#ids.id(ID_PREFIX.app),
      name: input.name ?? 'radius',
      label: input.label,
      signOnMode: input.signOnMode ?? 'RADIUS',
      created: this.now(),
      users: new Map(),
    };
    this.#apps.set(app.id, app);
    this.events.append({
      eventType: 'application.lifecycle.create',
      outcome: { result: 'SUCCESS' },
      target: [{ id: app.id, type: 'AppInstance', alternateId: app.label }],
    });
    return app;
  }

  getApp(idOrLabel: string): AppRecord | undefined {
    return this.#apps.get(idOrLabel) ?? [...this.#apps.values()].find((a) => a.label === idOrLabel);
  }

  requireApp(appId: string): AppRecord {
    const a = this.getApp(appId);
    if (!a) throw new OktaApiError('E0000007', [], `Not found: Resource not found: ${appId} (AppInstance)`);
    return a;
  }

  assignUserToApp(appId: string, userId: string): AppRecord {
    const app = this.requireApp(appId);
    const u = this.requireUser(userId);
    if (!app.users.has(u.id)) app.users.set(u.id, this.now());
    this.#log(u, 'application.user_membership.add', 'SUCCESS', [{ id: app.id, type: 'AppInstance', alternateId: app.label }]);
    return app;
  }

  unassignUserFromApp(appId: string, userId: string): void {
    const app = this.requireApp(appId);
    app.users.delete(this.requireUser(userId).id);
  }

  isAssigned(appId: string, userId: string): boolean {
    const app = this.getApp(appId);
    const u = this.getUser(userId);
    return !!app && !!u && app.users.has(u.id);
  }

  // ─── factors ────────────────────────────────────────────────────────────

  enrollFactor(userId: string, input: EnrollFactorInput): EnrollFactorResult {
    const u = this.requireUser(userId);
    const factorType = input.factorType;
    const allowed = PROVIDERS[factorType];
    if (!allowed) throw new OktaApiError('E0000001', [`factorType: unsupported factor type ${String(factorType)}`]);
    const provider = input.provider ?? allowed[0]!;
    if (!allowed.includes(provider)) {
      throw new OktaApiError('E0000001', [`provider: ${provider} does not offer ${factorType}`]);
    }
    if (u.status === 'DEPROVISIONED') throw new OktaApiError('E0000038');
    // Okta: one phone per sms / call, one email, one Google Authenticator, one Duo per user.
    const unique = factorType !== 'push' && !(factorType === 'token:software:totp' && provider === 'OKTA');
    if (unique && this.listFactors(u.id).some((f) => f.factorType === factorType && f.provider === provider)) {
      throw new OktaApiError('E0000001', [`factor: A factor of this type is already set up (${factorType}/${provider})`]);
    }
    const now = this.now();
    const factor: FactorRecord = {
      id: this.#ids.id(ID_PREFIX.factor[factorType]),
      userId: u.id,
      factorType,
      provider,
      status: 'PENDING_ACTIVATION',
      created: now,
      lastUpdated: now,
      usedSteps: new Set(),
    };
    if (input.deviceId !== undefined) factor.deviceId = input.deviceId;
    let activation: EnrollFactorResult['activation'];
    switch (factorType) {
      case 'token:software:totp':
      case 'push': {
        factor.secret = normaliseBase32(input.sharedSecret ?? newTotpSecret());
        factor.deviceId ??= `${provider === 'GOOGLE' ? 'ga' : 'ov'}-${factor.id}`;
        const issuer = provider === 'GOOGLE' ? 'Okta (Google Authenticator)' : 'Okta';
        activation = {
          sharedSecret: factor.secret,
          otpauthUri: totpUri(factor.secret, issuer, u.profile.login),
          encoding: 'base32',
          keyLength: factor.secret.length,
          timeStep: TOTP_PERIOD_S,
        };
        break;
      }
      case 'sms':
      case 'call': {
        const phone = normalisePhone(input.phoneNumber ?? u.profile.mobilePhone ?? '');
        if (!phone) throw new OktaApiError('E0000001', ['phoneNumber: must be an E.164 number such as +15551234567']);
        factor.phoneNumber = phone;
        break;
      }
      case 'email': {
        factor.email = input.email ?? u.profile.email;
        break;
      }
      case 'web': {
        if (input.duoPasscodeChecker) factor.duoChecker = input.duoPasscodeChecker;
        // Duo's phone, for Duo SMS passcodes (Duo holds it; the mock keeps it on the factor).
        const phone = input.phoneNumber === undefined ? undefined : normalisePhone(input.phoneNumber);
        if (phone) factor.phoneNumber = phone;
        break;
      }
    }
    this.#putFactor(factor);
    // Duo enrolment happens in Duo's own flow, so the factor is usable at once;
    // `activate` is also a seeding shortcut for TOTP / push with a known secret.
    const activateNow = input.activate ?? factorType === 'web';
    if (activateNow) {
      this.#markActive(u, factor);
    } else if (factorType === 'sms' || factorType === 'call' || factorType === 'email') {
      // Okta sends an activation code on enrolment.
      this.#sendCode(u, factor, false);
    }
    return activation ? { factor, activation } : { factor };
  }

  /** Activates a PENDING_ACTIVATION factor; TOTP / Okta Verify / sms / call / email need the passCode. */
  activateFactor(userId: string, factorId: string, passCode?: string): FactorRecord {
    const u = this.requireUser(userId);
    const f = this.requireFactor(u.id, factorId);
    if (f.status === 'ACTIVE') throw new OktaApiError('E0000001', ['factor: The factor is already active']);
    const now = this.now();
    switch (f.factorType) {
      case 'token:software:totp':
      case 'push': {
        // A push enrolment may be completed by the device without a code (it registers itself).
        if (passCode === undefined && f.factorType === 'push') break;
        if (!passCode) throw new OktaApiError('E0000001', ['passCode: The field cannot be left blank']);
        const r = checkTotp(f.secret ?? '', passCode, now, f.usedSteps);
        if (!r.ok) throw new OktaApiError(r.reason === 'REPLAYED' ? 'E0000082' : 'E0000068');
        useTotpStep(f.usedSteps, r.step, now);
        break;
      }
      case 'sms':
      case 'call':
      case 'email': {
        if (!passCode) throw new OktaApiError('E0000001', ['passCode: The field cannot be left blank']);
        if (this.#consumeCode(f, passCode) !== 'SUCCESS') throw new OktaApiError('E0000068');
        break;
      }
      case 'web':
        break;
    }
    this.#markActive(u, f);
    return f;
  }

  deactivateFactor(userId: string, factorId: string): void {
    const u = this.requireUser(userId);
    const f = this.requireFactor(u.id, factorId);
    this.#removeFactor(f.id);
    if (f.companionFactorId) this.#removeFactor(f.companionFactorId);
    this.#logFactor(u, f, 'user.mfa.factor.deactivate', 'SUCCESS');
  }

  #putFactor(f: FactorRecord): void {
    this.#factors.set(f.id, f);
    let mine = this.#factorsByUser.get(f.userId);
    if (!mine) {
      mine = new Map();
      this.#factorsByUser.set(f.userId, mine);
    }
    mine.set(f.id, f);
  }

  #removeFactor(id: string): void {
    const f = this.#factors.get(id);
    if (!f) return;
    this.#factors.delete(id);
    this.#factorEvents.delete(id);
    const mine = this.#factorsByUser.get(f.userId);
    mine?.delete(id);
    if (mine?.size === 0) this.#factorsByUser.delete(f.userId);
  }

  listFactors(userId: string): FactorRecord[] {
    const u = this.requireUser(userId);
    const mine = this.#factorsByUser.get(u.id);
    return mine ? [...mine.values()] : [];
  }

  getFactor(userId: string, factorId: string): FactorRecord | undefined {
    const f = this.#factors.get(factorId);
    const u = this.getUser(userId);
    return f && u && f.userId === u.id ? f : undefined;
  }

  requireFactor(userId: string, factorId: string): FactorRecord {
    const f = this.getFactor(userId, factorId);
    if (!f) throw new OktaApiError('E0000007', [], `Not found: Resource not found: ${factorId} (UserFactor)`);
    return f;
  }

  /** Duo: attach (or replace) who checks passcodes — the virtual Duo Mobile app. */
  setDuoPasscodeChecker(userId: string, factorId: string, checker: DuoPasscodeChecker): void {
    const f = this.requireFactor(userId, factorId);
    if (f.factorType !== 'web') throw new CodedError('OKTA_NOT_DUO', `factor ${factorId} is ${f.factorType}, not a Duo (web) factor`);
    f.duoChecker = checker;
  }

  /**
   * Verify a factor as POST /api/v1/users/{id}/factors/{fid}/verify does.
   * Outcomes, not throws, for the answers Okta gives with a factorResult;
   * throws OktaApiError for the others (404, 400, locked user…).
   */
  verifyFactor(userId: string, factorId: string, input: VerifyFactorInput = {}): VerifyOutcome {
    const u = this.requireUser(userId);
    const f = this.requireFactor(u.id, factorId);
    if (u.status === 'LOCKED_OUT') throw new OktaApiError('E0000069');
    if (u.status === 'SUSPENDED' || u.status === 'DEPROVISIONED' || u.status === 'STAGED') throw new OktaApiError('E0000038');
    if (f.status !== 'ACTIVE') throw new OktaApiError('E0000001', ['factor: The factor is not active']);
    const passCode = input.passCode === undefined || input.passCode === null ? undefined : String(input.passCode);
    const now = this.now();
    let outcome: VerifyOutcome;
    switch (f.factorType) {
      case 'token:software:totp': {
        if (!passCode) throw new OktaApiError('E0000001', ['passCode: The field cannot be left blank']);
        const r = checkTotp(f.secret ?? '', passCode, now, f.usedSteps);
        if (r.ok) useTotpStep(f.usedSteps, r.step, now);
        outcome = r.ok ? { result: 'SUCCESS' } : { result: r.reason };
        break;
      }
      case 'push': {
        if (passCode !== undefined) throw new OktaApiError('E0000001', ['passCode: Okta Verify push takes no passCode; use the TOTP factor']);
        const tx = this.#startPush(u, f);
        this.#logFactor(u, f, 'user.mfa.factor.challenge', 'CHALLENGE');
        return { result: 'WAITING', transaction: { ...tx } };
      }
      case 'sms':
      case 'call':
      case 'email': {
        if (passCode === undefined || passCode === '') {
          const code = this.#sendCode(u, f, true);
          this.#logFactor(u, f, 'user.mfa.factor.challenge', 'CHALLENGE');
          return { result: 'CHALLENGE', expiresAt: code.expiresAt };
        }
        const r = this.#consumeCode(f, passCode);
        outcome = r === 'SUCCESS' ? { result: 'SUCCESS' } : r === 'EXPIRED' ? { result: 'EXPIRED' } : { result: 'INVALID' };
        break;
      }
      case 'web': {
        // Duo for the generic RADIUS app (Okta_Radius_App.htm: "Duo (Push, SMS, and Passcode only)" over PAP).
        // The mock's extensions (extensions.ts): no passCode sends a Duo push; the passCode "sms" (Duo's own
        // keyword in the passcode field) sends a Duo passcode by SMS; any other passCode is a passcode.
        if (passCode === undefined || passCode === '') {
          const tx = this.#startPush(u, f);
          this.#logFactor(u, f, 'user.mfa.factor.challenge', 'CHALLENGE');
          return { result: 'WAITING', transaction: { ...tx } };
        }
        if (passCode.trim().toLowerCase() === DUO_SMS_KEYWORD) {
          const code = this.#sendCode(u, f, true);
          this.#logFactor(u, f, 'user.mfa.factor.challenge', 'CHALLENGE');
          return { result: 'CHALLENGE', expiresAt: code.expiresAt };
        }
        // A Duo SMS passcode (once, within its lifetime), else Duo Mobile's passcodes.
        const bySms = this.#codes.has(f.id) && this.#consumeCode(f, passCode) === 'SUCCESS';
        outcome = bySms || f.duoChecker?.(passCode, now) ? { result: 'SUCCESS' } : { result: 'INVALID' };
        break;
      }
    }
    this.#recordVerify(u, f, outcome.result === 'SUCCESS', outcome.result);
    return outcome;
  }

  /** Current state of a push transaction; 404 when it isn't this user's / factor's. */
  getPushTransaction(userId: string, factorId: string, transactionId: string): PushTransaction {
    const u = this.requireUser(userId);
    const tx = this.#pushes.get(transactionId);
    if (!tx || tx.userId !== u.id || tx.factorId !== factorId) {
      throw new OktaApiError('E0000007', [], `Not found: Resource not found: ${transactionId} (Transaction)`);
    }
    this.#expireIfDue(tx);
    return { ...tx };
  }

  /** Push transactions (optionally one user's), newest last; devices read these. */
  listPushTransactions(userId?: string): PushTransaction[] {
    return [...this.#pushes.values()]
      .filter((t) => userId === undefined || t.userId === this.getUser(userId)?.id)
      .map((t) => {
        this.#expireIfDue(t);
        return { ...t };
      });
  }

  /**
   * A device answers a push. Returns the transaction's status afterwards: an
   * answer to a push that already timed out or was answered changes nothing.
   */
  answerPush(transactionId: string, answer: PushAnswer, chosenNumber?: number): PushStatus {
    const tx = this.#pushes.get(transactionId);
    if (!tx) throw new CodedError('OKTA_PUSH_UNKNOWN', `no push transaction ${transactionId}; was it sent by this org?`);
    this.#expireIfDue(tx);
    if (tx.status !== 'WAITING') return tx.status;
    const u = this.requireUser(tx.userId);
    const f = this.#factors.get(tx.factorId);
    // Number challenge: approving needs the number the sign-in screen shows. A RADIUS user has no
    // such screen (Okta_Radius_App.htm: number challenge "Not supported"), so an approval without
    // the right number fails as a wrong pick does.
    const numberMissed = tx.correctAnswer !== undefined && chosenNumber !== tx.correctAnswer;
    tx.status = answer === 'APPROVE' && !numberMissed ? 'SUCCESS' : 'REJECTED';
    tx.answeredAt = this.now();
    this.#clearPushTimer(tx.id);
    const target: OrgEvent['target'] = [{ id: tx.id, type: 'PushTransaction' }];
    if (f) target.push(factorTarget(f));
    const detail = f ? { factorType: f.factorType, provider: f.provider } : { factorType: 'push', provider: 'OKTA' };
    if (answer === 'APPROVE') {
      u.failedFactorAttempts = 0;
      u.lastLogin = this.now();
      this.#log(u, 'user.authentication.auth_via_mfa', 'SUCCESS', target, detail);
    } else {
      this.#log(u, 'user.mfa.okta_verify.deny_push', 'DENY', target, detail);
    }
    return tx.status;
  }

  /** The outstanding SMS / call / email code of a factor (test helper; devices get it by delivery). */
  outstandingCode(factorId: string): Readonly<OneTimeCodeRecord> | undefined {
    return this.#codes.get(factorId);
  }

  // ─── API tokens ─────────────────────────────────────────────────────────

  /**
   * Creates an SSWS API token and returns its value (shown once, as in the admin
   * console). `value` fixes it, so a lab served to a real agent keeps one token
   * across restarts.
   */
  createApiToken(name = 'radius-agent', value?: string): string {
    const token = value ?? `00${randomBytes(30).toString('base64url')}`;
    const rec: ApiTokenRecord = { id: this.#ids.id(ID_PREFIX.token), name, token, created: this.now(), revoked: false };
    this.#tokens.set(token, rec);
    this.events.append({ eventType: 'system.api_token.create', outcome: { result: 'SUCCESS' }, target: [{ id: rec.id, type: 'Token', alternateId: name }] });
    return token;
  }

  revokeApiToken(token: string): void {
    const rec = this.#tokens.get(token);
    if (!rec) return;
    rec.revoked = true;
    this.events.append({ eventType: 'system.api_token.revoke', outcome: { result: 'SUCCESS' }, target: [{ id: rec.id, type: 'Token', alternateId: rec.name }] });
  }

  /** Checks an `Authorization` header value ("SSWS <token>"). */
  isAuthorized(authorization: string | null | undefined): boolean {
    const m = /^SSWS\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return false;
    const rec = this.#tokens.get(m[1]!);
    return !!rec && !rec.revoked;
  }

  // ─── knobs ──────────────────────────────────────────────────────────────

  /** Every answer waits `ms` on the org's clock first. */
  /**
   * Okta Verify's number challenge for pushes, and the Early Access flag "Disable number
   * matching challenge for RADIUS" (Okta_Radius_App.htm: number challenge is not supported over
   * RADIUS; orgs that have it see the challenge reach RADIUS users unless the flag is on). This
   * mock's only push client is the RADIUS agent, so the flag applies to every push.
   */
  setNumberChallenge(options: { oktaVerify: boolean; disabledForRadius?: boolean }): void {
    this.#numberChallenge = options.oktaVerify;
    this.#radiusNumberChallengeDisabled = options.disabledForRadius ?? false;
  }

  setLatency(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`latency must be >= 0 ms, got ${ms}`);
    this.faults.plan.latencyMs = ms;
  }

  /** The next `n` API calls answer `status` (default 500) with an Okta Error body. */
  failNextCalls(n: number, status = 500): void {
    this.faults.plan.failNext = n;
    this.faults.plan.failStatus = status;
  }

  /** The next `n` calls fail as a network error (fetch rejects, the socket is destroyed); Infinity = down. */
  failNextWithNetworkError(n = 1): void {
    this.faults.plan.networkErrorsNext = n;
  }

  /** Limit per window; every response carries X-Rate-Limit-*; over the limit → 429 E0000047. */
  setRateLimit(setting: RateLimitSetting): void {
    this.rateLimiter.set(setting);
  }

  resetFaults(): void {
    this.faults.reset();
  }

  // ─── internals shared with the Authn API ────────────────────────────────

  /** Records a failed password attempt; locks the user at the threshold. */
  notePasswordFailure(u: UserRecord): void {
    u.failedPasswordAttempts++;
    if (this.lockoutThreshold > 0 && u.failedPasswordAttempts >= this.lockoutThreshold && u.status === 'ACTIVE') {
      this.#setStatus(u, 'LOCKED_OUT', 'user.account.lock');
    }
  }

  /** Appends an event about a user (no secrets in `debug`). */
  logUserEvent(
    u: UserRecord,
    eventType: OrgEvent['eventType'],
    result: OrgEvent['outcome']['result'],
    debug: Record<string, string | number | boolean> = {},
    reason?: string,
  ): void {
    this.events.append({
      eventType,
      outcome: reason ? { result, reason } : { result },
      actor: { id: u.id, type: 'User', alternateId: u.profile.login },
      target: [{ id: u.id, type: 'User', alternateId: u.profile.login }],
      debugContext: debug,
    });
  }

  // ─── private ────────────────────────────────────────────────────────────

  #setStatus(u: UserRecord, status: UserStatus, eventType: OrgEvent['eventType'], extra?: (u: UserRecord) => void): UserRecord {
    u.statusBefore = u.status;
    u.status = status;
    u.statusChanged = this.now();
    u.lastUpdated = this.now();
    extra?.(u);
    this.#log(u, eventType, 'SUCCESS');
    return u;
  }

  #log(
    u: UserRecord,
    eventType: OrgEvent['eventType'],
    result: OrgEvent['outcome']['result'],
    extraTargets: OrgEvent['target'] = [],
    debug: Record<string, string | number | boolean> = {},
    reason?: string,
  ): void {
    this.events.append({
      eventType,
      outcome: outcomeOf(result, reason),
      target: [{ id: u.id, type: 'User', alternateId: u.profile.login }, ...extraTargets],
      debugContext: debug,
    });
  }

  /**
   * An event about a user's factor: targets the user and the factor, details its type and
   * provider. The target list and details are made once per factor and shared by its events
   * (a sign-in's event adds no objects; event-log.ts copies them for readers).
   */
  #logFactor(u: UserRecord, f: FactorRecord, eventType: OrgEvent['eventType'], result: OrgEvent['outcome']['result'], reason?: string): void {
    let shared = this.#factorEvents.get(f.id);
    if (!shared || shared.target[0]!.id !== u.id) {
      shared = {
        target: Object.freeze([Object.freeze({ id: u.id, type: 'User' as const, alternateId: u.profile.login }), Object.freeze(factorTarget(f))]),
        detail: factorDetail(f),
      };
      this.#factorEvents.set(f.id, shared);
    }
    this.events.append({ eventType, outcome: outcomeOf(result, reason), target: shared.target as OrgEvent['target'], debugContext: shared.detail });
  }

  #markActive(u: UserRecord, f: FactorRecord): void {
    f.status = 'ACTIVE';
    f.lastUpdated = this.now();
    this.#logFactor(u, f, 'user.mfa.factor.activate', 'SUCCESS');
    // Okta Verify: a push enrolment also gives the device a TOTP factor on the same secret.
    if (f.factorType === 'push' && !f.companionFactorId && f.secret) {
      const totp: FactorRecord = {
        id: this.#ids.id(ID_PREFIX.factor['token:software:totp']),
        userId: u.id,
        factorType: 'token:software:totp',
        provider: 'OKTA',
        status: 'ACTIVE',
        created: this.now(),
        lastUpdated: this.now(),
        secret: f.secret,
        usedSteps: new Set(),
      };
      if (f.deviceId !== undefined) totp.deviceId = f.deviceId;
      this.#putFactor(totp);
      f.companionFactorId = totp.id;
      this.#logFactor(u, totp, 'user.mfa.factor.activate', 'SUCCESS');
    }
  }

  #recordVerify(u: UserRecord, f: FactorRecord, ok: boolean, result: string): void {
    if (ok) {
      u.failedFactorAttempts = 0;
      u.lastLogin = this.now();
      this.#logFactor(u, f, 'user.authentication.auth_via_mfa', 'SUCCESS');
    } else {
      u.failedFactorAttempts++;
      const reason = result === 'REPLAYED' ? 'PASSCODE_REPLAYED' : result === 'EXPIRED' ? 'EXPIRED' : 'INVALID_CREDENTIALS';
      this.#logFactor(u, f, 'user.authentication.auth_via_mfa', 'FAILURE', reason);
      if (this.factorLockoutThreshold > 0 && u.failedFactorAttempts >= this.factorLockoutThreshold && u.status === 'ACTIVE') {
        this.#setStatus(u, 'LOCKED_OUT', 'user.account.lock');
      }
    }
  }

  #startPush(u: UserRecord, f: FactorRecord): PushTransaction {
    const now = this.now();
    const tx: PushTransaction = {
      id: `v2mst.${this.#ids.chars(22)}`,
      userId: u.id,
      factorId: f.id,
      status: 'WAITING',
      createdAt: now,
      expiresAt: now + PUSH_LIFETIME_MS,
    };
    // Number challenge is Okta Verify's; a Duo push (factor web/DUO) never carries one.
    const duo = f.factorType === 'web';
    if (!duo && this.#numberChallenge && !this.#radiusNumberChallengeDisabled) tx.correctAnswer = 10 + (Number(this.#ids.digits(2)) % 90);
    this.#pushes.set(tx.id, tx);
    this.#pushTimers.set(
      tx.id,
      this.clock.setTimeout(() => this.#expireIfDue(tx), PUSH_LIFETIME_MS),
    );
    this.#logFactor(u, f, 'system.push.send_factor_verify_push', 'SUCCESS');
    this.delivery.push({
      ...(duo ? { app: 'duo-mobile' as const } : {}),
      transactionId: tx.id,
      userId: u.id,
      login: u.profile.login,
      factorId: f.id,
      deviceId: f.deviceId ?? f.id,
      sentAt: now,
      expiresAt: tx.expiresAt,
      message: this.pushMessage,
    });
    return tx;
  }

  #expireIfDue(tx: PushTransaction): void {
    if (tx.status !== 'WAITING' || this.now() < tx.expiresAt) return;
    tx.status = 'TIMEOUT';
    this.#clearPushTimer(tx.id);
    const u = this.#users.get(tx.userId);
    if (u) this.#log(u, 'user.mfa.okta_verify.push_timeout', 'FAILURE', [{ id: tx.id, type: 'PushTransaction' }], {}, 'TIMEOUT');
  }

  #clearPushTimer(txId: string): void {
    const h = this.#pushTimers.get(txId);
    if (h) this.clock.clearTimeout(h);
    this.#pushTimers.delete(txId);
  }

  #sendCode(u: UserRecord, f: FactorRecord, isChallenge: boolean): OneTimeCodeRecord {
    const now = this.now();
    // A Duo factor's code goes by SMS (Duo SMS passcodes).
    const channel = f.factorType === 'web' ? 'sms' : CHANNEL[f.factorType as 'sms' | 'call' | 'email'];
    const previous = this.#codes.get(f.id);
    if (isChallenge && channel !== 'email' && previous && now - previous.sentAt < PHONE_CHALLENGE_INTERVAL_MS) {
      throw new OktaApiError('E0000109');
    }
    const code = this.#ids.digits(6);
    const rec: OneTimeCodeRecord = { factorId: f.id, code, sentAt: now, expiresAt: now + ONE_TIME_CODE_LIFETIME_MS, used: false };
    this.#codes.set(f.id, rec);
    const to = channel === 'email' ? (f.email ?? u.profile.email) : (f.phoneNumber ?? (f.factorType === 'web' ? (u.profile.mobilePhone ?? '') : ''));
    if (to === '') throw new OktaApiError('E0000001', ['phoneNumber: Duo has no phone number for this user to send SMS passcodes to']);
    const eventType =
      channel === 'sms'
        ? 'system.sms.send_factor_verify_message'
        : channel === 'call'
          ? 'system.voice.send_phone_verification_call'
          : 'system.email.mfa_challenge.sent';
    this.#logFactor(u, f, eventType, 'SUCCESS');
    const text =
      channel === 'call'
        ? `Your Okta verification code is ${code.split('').join(' ')}. Again, ${code.split('').join(' ')}.`
        : channel === 'email'
          ? `Your verification code is ${code}. It expires in 5 minutes.`
          : f.factorType === 'web'
            ? `Duo passcode: ${code}`
            : `Your verification code is ${code}`;
    this.delivery.oneTimeCode({
      userId: u.id,
      login: u.profile.login,
      factorId: f.id,
      channel,
      to,
      code,
      sentAt: now,
      expiresAt: rec.expiresAt,
      text,
    });
    return rec;
  }

  #consumeCode(f: FactorRecord, passCode: string): 'SUCCESS' | 'INVALID' | 'EXPIRED' {
    const rec = this.#codes.get(f.id);
    if (!rec || rec.used || !constantTimeEqual(rec.code, passCode.trim())) return 'INVALID';
    if (this.now() >= rec.expiresAt) return 'EXPIRED';
    rec.used = true;
    return 'SUCCESS';
  }
}

const OUTCOMES = new Map<string, OrgEvent['outcome']>();

/** One frozen outcome object per result (and reason), shared by every event that has it. */
function outcomeOf(result: OrgEvent['outcome']['result'], reason?: string): OrgEvent['outcome'] {
  const key = reason ? `${result} ${reason}` : result;
  let o = OUTCOMES.get(key);
  if (!o) {
    o = Object.freeze(reason ? { result, reason } : { result });
    OUTCOMES.set(key, o);
  }
  return o;
}

const FACTOR_DETAILS = new Map<string, Readonly<{ factorType: string; provider: string }>>();

/** One frozen `{ factorType, provider }` per kind of factor, shared by every event about such a factor. */
function factorDetail(f: FactorRecord): { factorType: string; provider: string } {
  const key = `${f.factorType}/${f.provider}`;
  let d = FACTOR_DETAILS.get(key);
  if (!d) {
    d = Object.freeze({ factorType: f.factorType, provider: f.provider });
    FACTOR_DETAILS.set(key, d);
  }
  return d;
}

function factorTarget(f: FactorRecord): { id: string; type: 'Factor'; alternateId: string } {
  return { id: f.id, type: 'Factor', alternateId: `${f.factorType}/${f.provider}` };
}

function hashPassword(userId: string, password: string): string {
  // Salted by user id: enough for a mock that must never echo a password.
  return hash('sha256', `${userId}\0${password}`, 'base64');
}

function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function normalisePhone(raw: string): string | undefined {
  const digits = raw.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{1,14}$/.test(digits) ? digits : undefined;
}

function normaliseBase32(secret: string): string {
  return secret.replace(/[\s=]/g, '').toUpperCase();
}
