import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AccountPolicy,
  checkBind,
  DEFAULT_POLICY,
  type DirectoryEntry,
  epochMsToFiletime,
  FILETIME_NEVER,
  filetimeToEpochMs,
  isLockedOut,
  logonHoursBitmap,
  makeEntry,
  recordBadPassword,
  recordGoodPassword,
  redactEntry,
  UAC,
} from './account.ts';
import { adBindDiagnostic, parseAdData, WORKSPACES_MESSAGES, AD_DATA_CODES } from './ad-codes.ts';

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0); // a Monday, 09:00 UTC
const HOUR = 3_600_000;

function user(overrides: Partial<DirectoryEntry> = {}): DirectoryEntry {
  return { ...makeEntry({ dn: 'CN=Alice,DC=corp,DC=example,DC=com', sAMAccountName: 'alice', password: 'right' }, NOW - HOUR), ...overrides };
}

describe('checkBind: AD rules', () => {
  it('lets an active user with the right password in', () => {
    assert.deepEqual(checkBind(user(), 'right', NOW), { kind: 'ok' });
  });

  it('525 when there is no such user, 52e for a wrong password', () => {
    assert.deepEqual(checkBind(undefined, 'whatever', NOW), { kind: 'invalid', resultCode: 49, adData: '525' });
    assert.deepEqual(checkBind(user(), 'wrong', NOW), { kind: 'invalid', resultCode: 49, adData: '52e' });
    assert.deepEqual(checkBind(user({ password: undefined }), 'anything', NOW), { kind: 'invalid', resultCode: 49, adData: '52e' });
  });

  it('passwords are case-sensitive', () => {
    assert.equal(checkBind(user(), 'RIGHT', NOW).kind, 'invalid');
  });

  it('an empty password is an unauthenticated bind, never a login — even for an unknown user', () => {
    assert.deepEqual(checkBind(user(), '', NOW), { kind: 'unauthenticated' });
    assert.deepEqual(checkBind(user({ password: '' }), '', NOW), { kind: 'unauthenticated' });
    assert.deepEqual(checkBind(undefined, '', NOW), { kind: 'unauthenticated' });
  });

  const states: Array<[string, Partial<DirectoryEntry>, string]> = [
    ['locked out (flag)', { userAccountControl: UAC.NORMAL_ACCOUNT | UAC.LOCKOUT }, '775'],
    ['locked out (lockoutTime)', { lockoutTime: NOW - 60_000 }, '775'],
    ['disabled', { userAccountControl: UAC.NORMAL_ACCOUNT | UAC.ACCOUNTDISABLE }, '533'],
    ['account expired', { accountExpires: NOW - 1 }, '701'],
    ['outside logon hours', { logonHours: logonHoursBitmap([]) }, '530'],
    ['workstation not allowed', { userWorkstations: ['WS01'] }, '531'],
    ['must change password', { pwdLastSet: 0 }, '773'],
    ['password expired', { userAccountControl: UAC.NORMAL_ACCOUNT | UAC.PASSWORD_EXPIRED }, '532'],
  ];
  for (const [what, overrides, code] of states) {
    it(`${what}: ${code} with the right password, 52e with a wrong one`, () => {
      assert.deepEqual(checkBind(user(overrides), 'right', NOW), { kind: 'invalid', resultCode: 49, adData: code });
      // Issue 4: the state codes only when the password is right (real AD says 775 regardless).
      assert.deepEqual(checkBind(user(overrides), 'wrong', NOW), { kind: 'invalid', resultCode: 49, adData: '52e' });
    });
  }

  it('checks the states in a fixed order: locked before disabled before expired …', () => {
    const all = user({
      userAccountControl: UAC.NORMAL_ACCOUNT | UAC.LOCKOUT | UAC.ACCOUNTDISABLE | UAC.PASSWORD_EXPIRED,
      accountExpires: NOW - 1,
      pwdLastSet: 0,
    });
    assert.equal((checkBind(all, 'right', NOW) as { adData: string }).adData, '775');
    assert.equal((checkBind({ ...all, userAccountControl: UAC.ACCOUNTDISABLE }, 'right', NOW) as { adData: string }).adData, '533');
    assert.equal((checkBind({ ...all, userAccountControl: 0 }, 'right', NOW) as { adData: string }).adData, '701');
    assert.equal(
      (checkBind({ ...all, userAccountControl: UAC.PASSWORD_EXPIRED, accountExpires: undefined }, 'right', NOW) as { adData: string }).adData,
      '773',
    );
  });

  it('an account expiring in the future is fine until that instant', () => {
    assert.equal(checkBind(user({ accountExpires: NOW + 1 }), 'right', NOW).kind, 'ok');
    assert.equal(checkBind(user({ accountExpires: NOW + 1 }), 'right', NOW + 1).kind, 'invalid');
  });

  it('logon hours are hours of the week in UTC', () => {
    const mondayNine = 1 * 24 + 9;
    assert.equal(checkBind(user({ logonHours: logonHoursBitmap([mondayNine]) }), 'right', NOW).kind, 'ok');
    assert.equal(checkBind(user({ logonHours: logonHoursBitmap([mondayNine]) }), 'right', NOW + HOUR).kind, 'invalid');
  });

  it('a listed workstation is allowed, case-insensitively', () => {
    assert.equal(checkBind(user({ userWorkstations: ['WS01'] }), 'right', NOW, { workstation: 'ws01' }).kind, 'ok');
  });

  it('maxPwdAge expires old passwords unless DONT_EXPIRE_PASSWORD', () => {
    const policy: AccountPolicy = { ...DEFAULT_POLICY, maxPasswordAgeMs: 42 * 24 * HOUR };
    const old = user({ pwdLastSet: NOW - 43 * 24 * HOUR });
    assert.deepEqual(checkBind(old, 'right', NOW, { policy }), { kind: 'invalid', resultCode: 49, adData: '532' });
    const exempt = { ...old, userAccountControl: UAC.NORMAL_ACCOUNT | UAC.DONT_EXPIRE_PASSWORD };
    assert.equal(checkBind(exempt, 'right', NOW, { policy }).kind, 'ok');
  });
});

describe('lockout counting', () => {
  const policy: AccountPolicy = { lockoutThreshold: 3, lockoutObservationWindowMs: 10 * 60_000, lockoutDurationMs: 30 * 60_000, maxPasswordAgeMs: 0 };

  it('locks after the threshold within the window, then 775 until the duration ends', () => {
    const e = user();
    assert.equal(recordBadPassword(e, NOW, policy), false);
    assert.equal(recordBadPassword(e, NOW + 1000, policy), false);
    assert.equal(recordBadPassword(e, NOW + 2000, policy), true);
    assert.equal(isLockedOut(e, NOW + 2000, policy), true);
    assert.equal((checkBind(e, 'right', NOW + 3000, { policy }) as { adData: string }).adData, '775');
    assert.equal(checkBind(e, 'right', NOW + 2000 + 30 * 60_000, { policy }).kind, 'ok');
  });

  it('bad passwords older than the observation window no longer count', () => {
    const e = user();
    recordBadPassword(e, NOW, policy);
    recordBadPassword(e, NOW + 1000, policy);
    assert.equal(recordBadPassword(e, NOW + 11 * 60_000, policy), false);
    assert.equal(e.badPwdCount, 1);
  });

  it('a good password resets the count; threshold 0 never locks; duration 0 locks until unlocked', () => {
    const e = user();
    recordBadPassword(e, NOW, policy);
    recordGoodPassword(e);
    assert.equal(e.badPwdCount, 0);
    const never = user();
    for (let i = 0; i < 20; i++) recordBadPassword(never, NOW + i, DEFAULT_POLICY);
    assert.equal(isLockedOut(never, NOW + 20, DEFAULT_POLICY), false);
    const forever = { ...policy, lockoutDurationMs: 0 };
    const f = user({ lockoutTime: NOW });
    assert.equal(isLockedOut(f, NOW + 365 * 24 * HOUR, forever), true);
  });
});

describe('AD codes', () => {
  it('formats the diagnostic exactly as AD and reads the code back', () => {
    assert.equal(adBindDiagnostic('52e'), '80090308: LdapErr: DSID-0C09030B, comment: AcceptSecurityContext error, data 52e, v893');
    for (const code of AD_DATA_CODES) assert.equal(parseAdData(adBindDiagnostic(code)), code);
    assert.equal(parseAdData('Invalid Credentials'), undefined);
    assert.equal(parseAdData(undefined), undefined);
  });

  it('has user-facing words for every code, without telling unknown user from wrong password', () => {
    for (const code of AD_DATA_CODES) assert.ok(WORKSPACES_MESSAGES[code].length > 0);
    assert.equal(WORKSPACES_MESSAGES['52e'], 'The username or password is incorrect');
    assert.equal(WORKSPACES_MESSAGES['525'], WORKSPACES_MESSAGES['52e']);
    assert.equal(WORKSPACES_MESSAGES['533'], 'Your account is disabled');
  });
});

describe('FILETIME and redaction', () => {
  it('converts epoch ms to AD FILETIME and back; 0 and 2^63-1 mean not set', () => {
    assert.equal(epochMsToFiletime(Date.UTC(2025, 0, 1)), '133801632000000000');
    assert.equal(filetimeToEpochMs('133801632000000000'), Date.UTC(2025, 0, 1));
    assert.equal(filetimeToEpochMs('0'), undefined);
    assert.equal(filetimeToEpochMs(FILETIME_NEVER), undefined);
    assert.throws(() => filetimeToEpochMs('soon'), RangeError);
  });

  it('redactEntry never shows the password', () => {
    const shown = JSON.stringify(redactEntry(user()));
    assert.ok(!shown.includes('right'));
    assert.ok(shown.includes('(redacted)'));
  });
});
