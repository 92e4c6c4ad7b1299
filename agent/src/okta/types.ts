/**
 * The slice of Okta's public API shapes the agent reads. Only fields the agent
 * uses are typed; everything else Okta sends is ignored (and may be absent in
 * the mock).
 */
export type OktaUserStatus =
  | 'STAGED'
  | 'PROVISIONED'
  | 'ACTIVE'
  | 'RECOVERY'
  | 'PASSWORD_EXPIRED'
  | 'LOCKED_OUT'
  | 'SUSPENDED'
  | 'DEPROVISIONED';

export interface OktaUser {
  id: string;
  status: OktaUserStatus | string;
  profile: { login: string; [key: string]: unknown };
}

export interface OktaFactor {
  id: string;
  /** e.g. 'token:software:totp', 'push', 'sms', 'call', 'email', 'web' (Duo). */
  factorType: string;
  /** e.g. 'OKTA', 'GOOGLE', 'DUO'. */
  provider: string;
  status: string;
  /** ISO timestamp; used to order several enrolments of one kind (see README). */
  created?: string;
  profile?: { phoneNumber?: string; email?: string; credentialId?: string; name?: string; [key: string]: unknown };
}

/** Outcome of a factor verification as the agent sees it. */
export type FactorOutcome =
  | 'SUCCESS'
  /** The passcode or answer was wrong (Okta 403 E0000068 / FAILED / REJECTED for passcodes). */
  | 'INVALID'
  /** The user denied a push. */
  | 'REJECTED'
  /** The push was not answered in time (Okta's TIMEOUT or the agent's own push timeout). */
  | 'TIMEOUT'
  /** A challenge (SMS / call / email code) was sent. */
  | 'CHALLENGE'
  /** Authn API only: the transaction (stateToken) is no longer valid (Okta 401 E0000011); start again. */
  | 'EXPIRED'
  /** SMS / call: Okta sent a code to this phone less than 30 s ago (429 E0000109); the earlier code still works. */
  | 'TOO_SOON';

export interface VerifyResult {
  outcome: FactorOutcome;
  /** For CHALLENGE: when the sent code stops working (epoch ms), when Okta says. */
  expiresAt?: number;
}

export type AuthnStatus =
  | 'SUCCESS'
  | 'MFA_REQUIRED'
  | 'MFA_ENROLL'
  | 'MFA_CHALLENGE'
  | 'LOCKED_OUT'
  | 'PASSWORD_EXPIRED'
  | 'PASSWORD_WARN'
  | 'PASSWORD_RESET'
  | string;

export interface AuthnResult {
  /** 'INVALID_CREDENTIALS' when Okta answered 401 (E0000004). */
  status: AuthnStatus | 'INVALID_CREDENTIALS';
  /** The Authn transaction; the agent keeps it server-side and never puts it on the wire. */
  stateToken?: string;
  /** When the transaction (stateToken) expires (epoch ms), when Okta says. */
  expiresAt?: number;
  userId?: string;
  /** MFA_REQUIRED: the factors Okta's sign-on policy offers in this transaction (summaries: no status or created). */
  factors?: OktaFactor[];
  /** MFA_ENROLL: the factor types the enrolment policy lets the user enrol in this transaction. */
  enrollable?: EnrollableFactor[];
}

/** A factor type Okta offers for enrolment (Authn MFA_ENROLL `_embedded.factors[]`: no id yet). */
export interface EnrollableFactor {
  factorType: string;
  provider: string;
}

/** What enrolling a factor inside an Authn transaction did (POST /api/v1/authn/factors). */
export type EnrollResult =
  /** MFA_ENROLL_ACTIVATE: enrolled, the activation code sent; `phoneNumber` is Okta's masked form. */
  | { outcome: 'CODE_SENT'; factorId: string; phoneNumber?: string }
  /** Okta refused the profile (400 E0000001), e.g. a phone number it does not accept. */
  | { outcome: 'INVALID_PROFILE' }
  /** Okta does not permit enrolling here (403): the RADIUS app's inline enrolment is off at Okta. */
  | { outcome: 'REFUSED' }
  /** The transaction (stateToken) is no longer valid. */
  | { outcome: 'EXPIRED' };

/** How a challenge asks for the code; only for providers that take a keyword in the passcode field. */
export interface ChallengeOptions {
  /** Duo's "sms" (Duo sends a passcode by SMS), the form the mock Okta's Duo extension takes. */
  passCode?: string;
}

/** The operations the decision engine needs; the HTTP client implements it, tests fake it. */
export interface OktaApi {
  /** null when no such user (404). */
  getUser(login: string, signal?: AbortSignal): Promise<OktaUser | null>;
  listFactors(userId: string, signal?: AbortSignal): Promise<OktaFactor[]>;
  /** false when the user is not assigned to the app (404). */
  isAssignedToApp(appId: string, userId: string, signal?: AbortSignal): Promise<boolean>;
  verifyPasscode(userId: string, factorId: string, passCode: string, signal?: AbortSignal): Promise<VerifyResult>;
  /** Sends the SMS / call / email code (or, with `options.passCode` "sms", a Duo SMS passcode). */
  challenge(userId: string, factorId: string, signal?: AbortSignal, options?: ChallengeOptions): Promise<VerifyResult>;
  /** Sends a push and polls until answered, denied, Okta's timeout, or `timeoutMs` of the clock. */
  verifyPush(userId: string, factorId: string, timeoutMs: number, signal?: AbortSignal): Promise<VerifyResult>;
  /** Authn API primary authentication (password modes): opens the transaction the factor steps below continue. */
  primaryAuth(username: string, password: string, signal?: AbortSignal, context?: AuthnContext): Promise<AuthnResult>;
  /** Authn API: verify a passcode inside the transaction. SUCCESS, INVALID, or EXPIRED (the stateToken). */
  authnVerifyPasscode(stateToken: string, factorId: string, passCode: string, signal?: AbortSignal): Promise<VerifyResult>;
  /** Authn API: send the SMS / call / email code inside the transaction. CHALLENGE or EXPIRED. */
  authnChallenge(stateToken: string, factorId: string, signal?: AbortSignal, options?: ChallengeOptions): Promise<VerifyResult>;
  /** Authn API: send a push and poll the transaction until SUCCESS, REJECTED, TIMEOUT (Okta's or `timeoutMs` of the clock) or EXPIRED. */
  authnVerifyPush(stateToken: string, factorId: string, timeoutMs: number, signal?: AbortSignal): Promise<VerifyResult>;
  /**
   * The names of the user's Okta groups (GET /api/v1/users/{id}/groups), for "Include groups in
   * RADIUS response". Optional so wrappers that predate it still type-check; an app that includes
   * groups needs it.
   */
  listUserGroups?(userId: string, signal?: AbortSignal): Promise<string[]>;
  /**
   * Authn API inline enrolment (Okta_Radius_App-gen-config-app.htm, "To permit inline enrollment,
   * check the box"): enrol a factor in an MFA_ENROLL transaction. Optional like listUserGroups;
   * an app that permits inline enrolment needs it.
   */
  authnEnroll?(stateToken: string, factor: EnrollableFactor & { phoneNumber?: string }, signal?: AbortSignal): Promise<EnrollResult>;
  /**
   * Authn API: activate the factor enrolled in the transaction with the code the user received.
   * SUCCESS, INVALID or EXPIRED. `userId`: whose factors changed (a caching client forgets them).
   */
  authnActivate?(stateToken: string, factorId: string, passCode: string, signal?: AbortSignal, userId?: string): Promise<VerifyResult>;
}

/** What the agent tells Okta about the request beside the credentials. */
export interface AuthnContext {
  /** "Report Client IP": the RADIUS client's user IP, sent as X-Forwarded-For for network-zone policies (Okta_Radius_App-gen-client-ip.htm). */
  clientIp?: string;
}
