/**
 * What a WorkSpaces user reads for each outcome. AWS doesn't publish the
 * client's exact strings; these follow the client's wording closely enough for
 * scenarios, and are stable (scenarios may assert on them). The RADIUS
 * Reply-Message is never shown here: the WorkSpaces client doesn't display it
 * (it is in the result's `replyMessage` for scenarios to check).
 */
import { AD_DATA_CODES, type AdData, WORKSPACES_MESSAGES } from '../directory/ad-codes.ts';

export const SIGN_IN_REASONS = [
  'ok',
  'password-rejected',
  'account-disabled',
  'account-locked',
  'account-expired',
  'password-expired',
  'password-must-change',
  'logon-restricted',
  'directory-unreachable',
  'mfa-code-required',
  'mfa-rejected',
  'mfa-timeout',
  'challenge-unsupported',
  'radius-error',
  // RadiusStatus is Creating: AWS connect-mfa, "While multi-factor authentication is being set up, users cannot log in"
  'mfa-being-set-up',
] as const;

export type SignInReason = (typeof SIGN_IN_REASONS)[number];

export const MESSAGES: Readonly<Record<SignInReason, string>> = {
  ok: 'You are signed in. Your WorkSpace is starting.',
  // Directory outcomes: the directory simulator's WorkSpaces wording, so both parts say the same.
  'password-rejected': WORKSPACES_MESSAGES['52e'],
  'account-disabled': WORKSPACES_MESSAGES['533'],
  'account-locked': WORKSPACES_MESSAGES['775'],
  'account-expired': WORKSPACES_MESSAGES['701'],
  'password-expired': WORKSPACES_MESSAGES['532'],
  'password-must-change': WORKSPACES_MESSAGES['773'],
  'logon-restricted': WORKSPACES_MESSAGES['530'],
  'directory-unreachable': 'We could not reach your directory. Try again later or contact your administrator.',
  'mfa-code-required': 'Enter your MFA code.',
  'mfa-rejected': 'Multi-factor authentication failed. Check your MFA code and try again.',
  'mfa-timeout': 'Multi-factor authentication timed out. Try again, and contact your administrator if this continues.',
  'challenge-unsupported': 'Multi-factor authentication failed. Contact your administrator.',
  'radius-error': 'Multi-factor authentication failed. Check your MFA code and try again.',
  'mfa-being-set-up': 'Multi-factor authentication is being set up for your directory. Try again in a few minutes.',
};

/** AD's "data xxx" sub-codes of LDAP resultCode 49, as the directory reports them. */
export function reasonForAdData(adData: string | undefined): SignInReason {
  switch (adData?.toLowerCase()) {
    case '533':
      return 'account-disabled';
    case '775':
      return 'account-locked';
    case '701':
      return 'account-expired';
    case '532':
      return 'password-expired';
    case '773':
      return 'password-must-change';
    case '530':
    case '531':
      return 'logon-restricted';
    default:
      return 'password-rejected'; // 525 (no such user) and 52e look the same to a user, on purpose
  }
}

/** The user's message for a directory refusal: AD's sub-code decides when there is one (530 vs 531 differ). */
export function messageForDirectory(reason: SignInReason, adData: string | undefined): string {
  const code = adData?.toLowerCase();
  if (code && (AD_DATA_CODES as readonly string[]).includes(code)) return WORKSPACES_MESSAGES[code as AdData];
  return MESSAGES[reason];
}
