/**
 * Active Directory's bind failure codes. AD answers every failed simple bind
 * with resultCode 49 (invalidCredentials); the reason is only in the
 * diagnostic message, as the Win32 error in hex after "data". Clients (the AD
 * Connector, ldapwhoami) read it from there, so the exact wording matters.
 * Pure: no sockets, no ldapjs.
 */

export const AD_DATA_CODES = ['525', '52e', '530', '531', '532', '533', '701', '773', '775'] as const;
export type AdData = (typeof AD_DATA_CODES)[number];

/** LDAP resultCode AD uses for every failed bind. */
export const INVALID_CREDENTIALS = 49;

/** What each code means to an administrator (Win32 error names). */
export const AD_DATA_MEANING: Readonly<Record<AdData, string>> = {
  '525': 'user not found (ERROR_NO_SUCH_USER)',
  '52e': 'invalid credentials (ERROR_LOGON_FAILURE)',
  '530': 'not permitted to logon at this time (ERROR_INVALID_LOGON_HOURS)',
  '531': 'not permitted to logon at this workstation (ERROR_INVALID_WORKSTATION)',
  '532': 'password expired (ERROR_PASSWORD_EXPIRED)',
  '533': 'account disabled (ERROR_ACCOUNT_DISABLED)',
  '701': 'account expired (ERROR_ACCOUNT_EXPIRED)',
  '773': 'user must reset password (ERROR_PASSWORD_MUST_CHANGE)',
  '775': 'user account locked (ERROR_ACCOUNT_LOCKED_OUT)',
};

/**
 * The words a WorkSpaces user sees on the login page for each code. 525 and
 * 52e read the same on purpose: telling "no such user" apart from "wrong
 * password" would let anyone enumerate accounts.
 */
export const WORKSPACES_MESSAGES: Readonly<Record<AdData, string>> = {
  '525': 'The username or password is incorrect',
  '52e': 'The username or password is incorrect',
  '530': 'You are not allowed to sign in at this time',
  '531': 'You are not allowed to sign in from this device',
  '532': 'Your password has expired',
  '533': 'Your account is disabled',
  '701': 'Your account has expired',
  '773': 'You must change your password before signing in',
  '775': 'Your account is locked',
};

/** AD's diagnostic message for a failed bind, byte for byte as Windows Server sends it. */
export function adBindDiagnostic(code: AdData): string {
  return `80090308: LdapErr: DSID-0C09030B, comment: AcceptSecurityContext error, data ${code}, v893`;
}

/**
 * What AD says to a search on a connection that has not bound (resultCode 1,
 * operationsError). We answer as AD does rather than with
 * insufficientAccessRights (50), so clients written against AD see what they expect.
 */
export const AD_UNBOUND_OPERATION =
  '000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed on the connection., data 0, v4563';

/** AD's noSuchObject (32) diagnostic for a search base outside the tree. */
export const AD_NO_OBJECT = '0000208D: NameErr: DSID-0310021B, problem 2001 (NO_OBJECT), data 0, best match of:';

/** Reads the `data XXX` code out of a diagnostic message; undefined if none we know. */
export function parseAdData(message: string | undefined): AdData | undefined {
  if (!message) return undefined;
  const m = /\bdata ([0-9a-f]{3}),/i.exec(message);
  if (!m) return undefined;
  const code = m[1]!.toLowerCase();
  return (AD_DATA_CODES as readonly string[]).includes(code) ? (code as AdData) : undefined;
}
