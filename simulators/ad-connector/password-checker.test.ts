/** The default password check against the real directory simulator (LDAP on loopback). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { type DirectoryServer, startDirectory } from '../directory/ldap-server.ts';
import { AdConnector } from './connector.ts';
import { ldapPasswordChecker } from './password-checker.ts';

const clock = new VirtualClock();
let directory: DirectoryServer;
let connector: AdConnector;

before(async () => {
  directory = await startDirectory({ clock, ldif: readFileSync(new URL('../directory/seed.example.ldif', import.meta.url), 'utf8') });
  connector = await AdConnector.create({ clock, passwordChecker: ldapPasswordChecker({ url: directory.url, domain: 'CORP', clock }) });
});
after(async () => {
  await connector?.close();
  await directory?.close();
});

test('right password: signed in (RADIUS not enabled: password only)', async () => {
  const r = await connector.signIn({ username: 'alice', password: 'Alice-Pa55', mfaCode: '' });
  assert.equal(r.reason, 'ok');
});

test("wrong password: AD's 52e in the user's words", async () => {
  const r = await connector.signIn({ username: 'alice', password: 'nope', mfaCode: '' });
  assert.equal(r.reason, 'password-rejected');
  assert.equal(r.adData, '52e');
  assert.equal(r.message, 'The username or password is incorrect');
});

test('a disabled account says so', async () => {
  const r = await connector.signIn({ username: 'carol', password: 'Carol-Pa55', mfaCode: '' });
  assert.equal(r.reason, 'account-disabled');
  assert.equal(r.message, 'Your account is disabled');
});

test('an empty password is never a sign-in', async () => {
  const r = await connector.signIn({ username: 'alice', password: '', mfaCode: '' });
  assert.equal(r.signedIn, false);
  assert.equal(r.reason, 'password-rejected');
});

test('directory down: directory-unreachable', async () => {
  await directory.goDown('refuse');
  try {
    const r = await connector.signIn({ username: 'alice', password: 'Alice-Pa55', mfaCode: '' });
    assert.equal(r.reason, 'directory-unreachable');
  } finally {
    await directory.comeBack();
  }
});
