/**
 * State types of the mock Okta org. Records are the org's own view (they may
 * hold secrets); the HTTP layer turns them into Okta-shaped bodies (views.ts)
 * so secrets never leave except where Okta itself hands them out (enrolment).
 */

export type UserStatus =
  | 'STAGED'
  | 'PROVISIONED'
  | 'ACTIVE'
  | 'RECOVERY'
  | 'PASSWORD_EXPIRED'
  | 'LOCKED_OUT'
  | 'SUSPENDED'
  | 'DEPROVISIONED';

export interface UserProfile {
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  mobilePhone?: string | null;
}

export interface UserRecord {
  /** 20 characters, "00u…", like Okta's. */
  readonly id: string;
  status: UserStatus;
  profile: UserProfile;
  /** Epoch ms on the org's clock. */
  created: number;
  activated: number | null;
  statusChanged: number | null;
  lastLogin: number | null;
  lastUpdated: number;
  passwordChanged: number | null;
  /** Status before a suspend/lock, restored by unsuspend/unlock. */
  statusBefore?: UserStatus;
  /** Failed primary-auth attempts since the last success (lockout policy). */
  failedPasswordAttempts: number;
  /** Failed factor verifications since the last success (MFA lockout policy). */
  failedFactorAttempts: number;
}

export interface GroupRecord {
  readonly id: string;
  name: string;
  description: string;
  members: Set<string>;
  created: number;
}

export interface AppRecord {
  readonly id: string;
  /** Okta app name, e.g. "radius" / "aws_workspaces". */
  name: string;
  label: string;
  signOnMode: string;
  created: number;
  /** userId → assignment time (epoch ms). */
  users: Map<string, number>;
}

export type FactorType = 'token:software:totp' | 'push' | 'sms' | 'call' | 'email' | 'web';
export type FactorProvider = 'OKTA' | 'GOOGLE' | 'DUO';
export type FactorStatus = 'PENDING_ACTIVATION' | 'ACTIVE' | 'INACTIVE' | 'NOT_SETUP' | 'ENROLLED' | 'EXPIRED';

/** Checks a Duo passcode (the virtual Duo Mobile app supplies it). */
export type DuoPasscodeChecker = (passCode: string, at: number) => boolean;

export interface FactorRecord {
  /** 20 characters: "ost…" TOTP, "opf…" push, "mbl…" sms, "clf…" call, "emf…" email, "dsf…" Duo. */
  readonly id: string;
  readonly userId: string;
  readonly factorType: FactorType;
  readonly provider: FactorProvider;
  status: FactorStatus;
  created: number;
  lastUpdated: number;
  /** sms/call: phone number; email: address. Duo: the phone Duo sends SMS passcodes to (else the profile's mobilePhone). */
  phoneNumber?: string;
  email?: string;
  /** Okta Verify enrolment (push and its companion TOTP) or a phone that holds a TOTP app. */
  deviceId?: string;
  /** TOTP shared secret (base32). Never logged, never in a listFactors body. */
  secret?: string;
  /** Duo: who checks the passcodes. */
  duoChecker?: DuoPasscodeChecker;
  /** TOTP: time steps already used (replay protection). */
  usedSteps: Set<number>;
  /** Push factor: id of the TOTP factor created with it (Okta Verify). */
  companionFactorId?: string;
}

export interface EnrollFactorInput {
  factorType: FactorType;
  provider?: FactorProvider;
  /** sms / call. */
  phoneNumber?: string;
  /** email; defaults to the user's profile email. */
  email?: string;
  /** Okta Verify / TOTP app enrolment (lets one user hold several Okta Verify devices). */
  deviceId?: string;
  /** Use this base32 secret instead of a generated one (seeded labs). */
  sharedSecret?: string;
  /** sms / call / email (and Duo): enrol straight to ACTIVE, as Okta's `activate=true`. */
  activate?: boolean;
  /** Duo (factorType web, provider DUO): checks passcodes on verify. */
  duoPasscodeChecker?: DuoPasscodeChecker;
}

export interface FactorActivation {
  /** Base32 shared secret (what a device "scans"). */
  sharedSecret: string;
  /** otpauth://totp/… URI carrying the same secret. */
  otpauthUri: string;
  encoding: 'base32';
  keyLength: number;
  timeStep: number;
}

export interface EnrollFactorResult {
  factor: FactorRecord;
  /** TOTP (OKTA / GOOGLE) and Okta Verify push. */
  activation?: FactorActivation;
}

export type PushStatus = 'WAITING' | 'SUCCESS' | 'REJECTED' | 'TIMEOUT';

export interface PushTransaction {
  readonly id: string;
  readonly userId: string;
  readonly factorId: string;
  status: PushStatus;
  readonly createdAt: number;
  readonly expiresAt: number;
  answeredAt?: number;
  /** Number challenge: the number the phone must be told (absent when the org doesn't ask for one). */
  correctAnswer?: number;
}

export interface OneTimeCodeRecord {
  readonly factorId: string;
  readonly code: string;
  readonly sentAt: number;
  readonly expiresAt: number;
  used: boolean;
}

export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  /** The SSWS token value. Never logged. */
  readonly token: string;
  readonly created: number;
  revoked: boolean;
}

export type VerifyOutcome =
  | { result: 'SUCCESS' }
  | { result: 'CHALLENGE'; expiresAt: number }
  | { result: 'WAITING'; transaction: PushTransaction }
  | { result: 'INVALID' }
  | { result: 'REPLAYED' }
  | { result: 'EXPIRED' };

/** Faults and limits a scenario sets on the org's HTTP surface. */
export interface RateLimitSetting {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in ms (Okta's are per minute). */
  windowMs: number;
}
