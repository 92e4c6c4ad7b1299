/**
 * The account model and AD's bind decision, pure (no ldapjs, no clock reads:
 * `now` is passed in). Times are epoch milliseconds in the model; AD's wire
 * format (FILETIME, 100 ns since 1601) only appears at the edges (LDIF, search
 * results), through the helpers below.
 */
import type { AdData } from './ad-codes.ts';

/** userAccountControl bits that matter for sign-in (MS-ADTS 2.2.16). */
export const UAC = {
  ACCOUNTDISABLE: 0x2,
  LOCKOUT: 0x10,
  PASSWD_NOTREQD: 0x20,
  NORMAL_ACCOUNT: 0x200,
  DONT_EXPIRE_PASSWORD: 0x10000,
  PASSWORD_EXPIRED: 0x800000,
} as const;

export interface DirectoryEntry {
  dn: string;
  objectClass: string[];
  sAMAccountName?: string;
  userPrincipalName?: string;
  displayName?: string;
  mail?: string;
  /** DNs of the groups the account belongs to. */
  memberOf: string[];
  userAccountControl: number;
  /** Epoch ms after which the account is expired; undefined = never (AD: 0 or 2^63-1). */
  accountExpires?: number;
  /** Epoch ms of the last password change; 0 = must change at next logon (AD's pwdLastSet=0). */
  pwdLastSet: number;
  /** Epoch ms the account was locked out; undefined = not locked. */
  lockoutTime?: number;
  /**
   * AD's logonHours: 21 bytes, one bit per hour of the week in UTC, starting
   * Sunday 00:00, least significant bit first. Undefined = any time.
   */
  logonHours?: Uint8Array;
  /** AD's userWorkstations (NetBIOS names); undefined = any workstation. */
  userWorkstations?: string[];
  badPwdCount: number;
  /** Epoch ms of the last bad password. */
  badPasswordTime?: number;
  /**
   * Cleartext password, simulation only. Held in memory, never logged, never
   * returned by a search (AD's unicodePwd is write-only too). Use
   * `redactEntry` before printing an entry.
   */
  password?: string;
  /** Any other attributes (cn, sn, member, …), returned by searches as given. */
  extra: Record<string, string[]>;
}

/** Domain password and lockout policy (AD's defaults: no lockout, no max age here). */
export interface AccountPolicy {
  /** Bad passwords within the window that lock the account; 0 = never lock (AD's default). */
  lockoutThreshold: number;
  /** Bad passwords older than this no longer count (AD: lockOutObservationWindow). */
  lockoutObservationWindowMs: number;
  /** How long a lockout lasts; 0 = until an administrator unlocks (AD: lockoutDuration). */
  lockoutDurationMs: number;
  /** Password age after which it has expired (AD: maxPwdAge); 0 = never. */
  maxPasswordAgeMs: number;
}

export const DEFAULT_POLICY: AccountPolicy = {
  lockoutThreshold: 0,
  lockoutObservationWindowMs: 30 * 60_000,
  lockoutDurationMs: 30 * 60_000,
  maxPasswordAgeMs: 0,
};

export type BindDecision =
  | { kind: 'ok' }
  /** Empty password: an unauthenticated bind (RFC 4513 §5.1.2). AD treats it as anonymous; never a login. */
  | { kind: 'unauthenticated' }
  | { kind: 'invalid'; resultCode: 49; adData: AdData };

export interface BindContext {
  /** Workstation the logon comes from, checked against userWorkstations; an LDAP bind has none. */
  workstation?: string;
  policy?: AccountPolicy;
}

function invalid(adData: AdData): BindDecision {
  return { kind: 'invalid', resultCode: 49, adData };
}

/** Whether the account is locked out at `now` (flag set by hand, or a lockout still running). */
export function isLockedOut(entry: DirectoryEntry, now: number, policy: AccountPolicy = DEFAULT_POLICY): boolean {
  if ((entry.userAccountControl & UAC.LOCKOUT) !== 0) return true;
  if (!entry.lockoutTime) return false;
  return policy.lockoutDurationMs === 0 || now < entry.lockoutTime + policy.lockoutDurationMs;
}

/** Whether `now` falls in an hour the logonHours bitmap allows. */
export function logonHoursAllow(hours: Uint8Array | undefined, now: number): boolean {
  if (!hours) return true;
  const d = new Date(now);
  const hourOfWeek = d.getUTCDay() * 24 + d.getUTCHours();
  const byte = hours[Math.floor(hourOfWeek / 8)] ?? 0;
  return (byte & (1 << (hourOfWeek % 8))) !== 0;
}

/** A logonHours bitmap allowing exactly the given hours of the week (0 = Sunday 00:00 UTC). */
export function logonHoursBitmap(allowedHoursOfWeek: Iterable<number>): Uint8Array {
  const bytes = new Uint8Array(21);
  for (const h of allowedHoursOfWeek) {
    if (h >= 0 && h < 168) bytes[Math.floor(h / 8)]! |= 1 << (h % 8);
  }
  return bytes;
}

/**
 * AD's decision for a simple bind, given the entry the bind name resolved to.
 *
 * Rules (and the choices made where AD is fuzzy):
 * - no entry → 525; an empty password → `unauthenticated` before anything else
 *   (so an empty password never reveals whether a user exists either).
 * - a wrong password → 52e, whatever the account's state. The state codes
 *   below are given only when the password is right. Real AD answers 775 for
 *   a locked account even with a wrong password; issue 4 asks for the stricter
 *   rule, so a locked account with a wrong password gets 52e here.
 * - right password, first match wins: 775 locked, 533 disabled, 701 account
 *   expired, 530 logon hours, 531 workstation, 773 must change (pwdLastSet 0),
 *   532 password expired (PASSWORD_EXPIRED bit, or older than maxPwdAge unless
 *   DONT_EXPIRE_PASSWORD).
 */
export function checkBind(
  entry: DirectoryEntry | undefined,
  password: string,
  now: number,
  context: BindContext = {},
): BindDecision {
  const policy = context.policy ?? DEFAULT_POLICY;
  if (password === '') return { kind: 'unauthenticated' };
  if (!entry) return invalid('525');
  if (entry.password === undefined || !sameSecret(entry.password, password)) return invalid('52e');
  const uac = entry.userAccountControl;
  if (isLockedOut(entry, now, policy)) return invalid('775');
  if ((uac & UAC.ACCOUNTDISABLE) !== 0) return invalid('533');
  if (entry.accountExpires !== undefined && now >= entry.accountExpires) return invalid('701');
  if (!logonHoursAllow(entry.logonHours, now)) return invalid('530');
  if (entry.userWorkstations && entry.userWorkstations.length > 0) {
    const ws = context.workstation?.toLowerCase();
    if (!ws || !entry.userWorkstations.some((w) => w.toLowerCase() === ws)) return invalid('531');
  }
  if (entry.pwdLastSet === 0) return invalid('773');
  if ((uac & UAC.PASSWORD_EXPIRED) !== 0) return invalid('532');
  if (
    policy.maxPasswordAgeMs > 0 &&
    (uac & UAC.DONT_EXPIRE_PASSWORD) === 0 &&
    now - entry.pwdLastSet >= policy.maxPasswordAgeMs
  ) {
    return invalid('532');
  }
  return { kind: 'ok' };
}

/** Length-independent comparison, so timing says nothing about how much of a password matched. */
function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * Counts a bad password toward lockout (AD's badPwdCount within the
 * observation window) and locks the account when the threshold is reached.
 * Mutates the entry; returns whether this attempt locked it.
 */
export function recordBadPassword(entry: DirectoryEntry, now: number, policy: AccountPolicy = DEFAULT_POLICY): boolean {
  // A locked account doesn't count further attempts (AD leaves badPwdCount alone).
  if (isLockedOut(entry, now, policy)) return false;
  if (entry.badPasswordTime !== undefined && now - entry.badPasswordTime >= policy.lockoutObservationWindowMs) {
    entry.badPwdCount = 0;
  }
  entry.badPwdCount += 1;
  entry.badPasswordTime = now;
  if (policy.lockoutThreshold > 0 && entry.badPwdCount >= policy.lockoutThreshold) {
    entry.lockoutTime = now;
    return true;
  }
  return false;
}

/** A right password resets the count, as AD does on a successful logon. */
export function recordGoodPassword(entry: DirectoryEntry): void {
  entry.badPwdCount = 0;
}

/** Fields as they may be given from code, YAML or LDIF; the rest default. */
export interface EntryInput {
  dn: string;
  objectClass?: string[];
  sAMAccountName?: string;
  userPrincipalName?: string;
  displayName?: string;
  mail?: string;
  memberOf?: string[];
  userAccountControl?: number;
  accountExpires?: number;
  pwdLastSet?: number;
  lockoutTime?: number;
  logonHours?: Uint8Array;
  userWorkstations?: string[];
  password?: string;
  extra?: Record<string, string[]>;
}

/** Builds an entry; `now` is the default pwdLastSet (the password was set when seeded). */
export function makeEntry(input: EntryInput, now: number): DirectoryEntry {
  return {
    dn: input.dn,
    objectClass: input.objectClass ?? ['top', 'person', 'organizationalPerson', 'user'],
    sAMAccountName: input.sAMAccountName,
    userPrincipalName: input.userPrincipalName,
    displayName: input.displayName,
    mail: input.mail,
    memberOf: input.memberOf ?? [],
    userAccountControl: input.userAccountControl ?? UAC.NORMAL_ACCOUNT,
    accountExpires: input.accountExpires,
    pwdLastSet: input.pwdLastSet ?? now,
    lockoutTime: input.lockoutTime || undefined,
    logonHours: input.logonHours,
    userWorkstations: input.userWorkstations,
    badPwdCount: 0,
    password: input.password,
    extra: input.extra ?? {},
  };
}

/** A copy safe to print or serialise: the password is replaced by a marker. */
export function redactEntry(entry: DirectoryEntry): Omit<DirectoryEntry, 'password'> & { password?: '(redacted)' } {
  const { password, ...rest } = entry;
  return password === undefined ? rest : { ...rest, password: '(redacted)' };
}

// --- AD time (FILETIME: 100 ns intervals since 1601-01-01 UTC) ---------------

const EPOCH_DIFF_MS = 11_644_473_600_000n;
/** accountExpires values that mean "never". */
export const FILETIME_NEVER = '9223372036854775807';

export function epochMsToFiletime(ms: number): string {
  return ((BigInt(Math.floor(ms)) + EPOCH_DIFF_MS) * 10_000n).toString();
}

/** FILETIME text → epoch ms; 0 and 2^63-1 → undefined (AD's "not set" / "never"). */
export function filetimeToEpochMs(text: string): number | undefined {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw new RangeError(`not a FILETIME value: ${JSON.stringify(text)}`);
  const v = BigInt(t);
  if (v <= 0n || t === FILETIME_NEVER) return undefined;
  return Number(v / 10_000n - EPOCH_DIFF_MS);
}
