/**
 * How a virtual user reacts to a push on one Okta Verify install. "Offline" is
 * not a reaction but a state of the phone (Phone.goOffline), because it also
 * holds back SMS and misses calls.
 */
import { CodedError } from '../../agent/src/errors.ts';

export interface PushBehaviour {
  action: 'approve' | 'deny' | 'ignore';
  /** Answer this many seconds (virtual clock) after the push arrives; 0 or absent: at once. */
  afterSeconds?: number;
}

/**
 * Reads the short text form used in seed files and the control API:
 * "approve", "deny", "ignore", "approve after 5s", "deny after 12 seconds".
 */
export function parsePushBehaviour(text: string): PushBehaviour {
  const m = /^\s*(approve|deny|ignore)(?:\s+after\s+(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)?)?\s*$/i.exec(text);
  if (!m) {
    throw new CodedError(
      'DEVICE_BAD_PUSH_BEHAVIOUR',
      `"${text}" is not a push behaviour; use approve, deny, ignore, "approve after N s" or "deny after N s".`,
    );
  }
  const action = m[1]!.toLowerCase() as PushBehaviour['action'];
  if (m[2] !== undefined && action === 'ignore') {
    throw new CodedError('DEVICE_BAD_PUSH_BEHAVIOUR', '"ignore" takes no delay; use plain "ignore".');
  }
  return m[2] === undefined ? { action } : { action, afterSeconds: Number(m[2]) };
}

export function describePushBehaviour(b: PushBehaviour): string {
  return b.afterSeconds ? `${b.action} after ${b.afterSeconds}s` : b.action;
}
