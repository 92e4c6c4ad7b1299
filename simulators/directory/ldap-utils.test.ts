/**
 * The directory checked with an independent client: Debian's ldap-utils
 * (OpenLDAP's ldapwhoami / ldapsearch). Passwords go through a 0600 file (-y),
 * not argv. Without ldap-utils the tests are skipped with the reason, except
 * under CI=true, where that is a failure.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { type DirectoryServer, startDirectory } from './ldap-server.ts';

const ALICE_DN = 'CN=Alice Smith,OU=Users,DC=corp,DC=example,DC=com';

function which(cmd: string): Promise<boolean> {
  return new Promise((resolve) => execFile('sh', ['-c', `command -v ${cmd}`], { timeout: 5000 }, (err) => resolve(!err)));
}

const haveTools = (await which('ldapwhoami')) && (await which('ldapsearch'));
const missing = 'ldap-utils (ldapwhoami, ldapsearch) is not installed: apt-get install ldap-utils';
if (!haveTools && process.env['CI'] === 'true') {
  it('ldap-utils is installed (required when CI=true)', () => assert.fail(missing));
}

interface Run {
  code: number | null;
  out: string;
}

/** Runs a client with a bounded timeout; stdout and stderr together, as a person would read them. */
function run(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10_000, env: { ...process.env, LDAPNOINIT: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

describe('directory with Debian ldap-utils', { skip: haveTools ? false : missing }, () => {
  let server: DirectoryServer;
  let dir: string;
  const passwordFile = (password: string): string => {
    const file = join(dir, `pw-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, password, { mode: 0o600 }); // -y reads the whole file: no newline
    return file;
  };
  const whoami = (name: string, password: string) =>
    run('ldapwhoami', ['-x', '-H', server.url, '-D', name, '-y', passwordFile(password)]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'directory-ldap-utils-'));
    const ldif = readFileSync(new URL('./seed.example.ldif', import.meta.url), 'utf8');
    server = await startDirectory({ ldif, clock: new VirtualClock(), domain: 'CORP', baseDn: 'DC=corp,DC=example,DC=com' });
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const name of [ALICE_DN, 'CORP\\alice', 'alice@corp.example.com', 'corp\\ALICE']) {
    it(`ldapwhoami -D '${name}' prints u:CORP\\alice`, async () => {
      const r = await whoami(name, 'Alice-Pa55');
      assert.equal(r.code, 0, r.out);
      assert.equal(r.out.trim(), 'u:CORP\\alice');
    });
  }

  const states: Array<[string, string, string]> = [
    ['CORP\\alice', 'wrong-password', '52e'],
    ['CORP\\nobody', 'whatever', '525'],
    ['CORP\\carol', 'Carol-Pa55', '533'],
    ['CORP\\dave', 'Dave-Pa55', '775'],
    ['CORP\\erin', 'Erin-Pa55', '701'],
    ['CORP\\frank', 'Frank-Pa55', '773'],
    ['CORP\\grace', 'Grace-Pa55', '532'],
    ['CORP\\heidi', 'Heidi-Pa55', '530'],
    ['CORP\\ivan', 'Ivan-Pa55', '531'],
  ];
  for (const [name, password, code] of states) {
    it(`ldapwhoami -D '${name}' shows Invalid credentials (49) with data ${code}`, async () => {
      const r = await whoami(name, password);
      assert.equal(r.code, 49, r.out);
      assert.match(r.out, /Invalid credentials \(49\)/);
      assert.ok(
        r.out.includes(`80090308: LdapErr: DSID-0C09030B, comment: AcceptSecurityContext error, data ${code}, v893`),
        r.out,
      );
    });
  }

  it('an empty password never signs in: ldapwhoami is anonymous', async () => {
    // -w '' here: an empty file would make -y refuse before anything is sent.
    const r = await run('ldapwhoami', ['-x', '-H', server.url, '-D', 'CORP\\alice', '-w', '']);
    assert.doesNotMatch(r.out, /u:CORP/);
    assert.equal(r.out.trim(), 'anonymous');
  });

  it('ldapsearch finds a user by sAMAccountName and returns memberOf', async () => {
    const r = await run('ldapsearch', [
      '-LLL',
      '-x',
      '-H',
      server.url,
      '-D',
      'CORP\\alice',
      '-y',
      passwordFile('Alice-Pa55'),
      '-b',
      'DC=corp,DC=example,DC=com',
      '(sAMAccountName=alice)',
      'sAMAccountName',
      'memberOf',
    ]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^dn: CN=Alice Smith,OU=Users,DC=corp,DC=example,DC=com$/m);
    assert.match(r.out, /^sAMAccountName: alice$/m);
    assert.match(r.out, /^memberOf: CN=Finance,OU=Groups,DC=corp,DC=example,DC=com$/m);
    assert.match(r.out, /^memberOf: CN=WorkSpaces Users,OU=Groups,DC=corp,DC=example,DC=com$/m);
  });

  it('ldapsearch without a bind gets AD\'s operations error 000004DC', async () => {
    const r = await run('ldapsearch', ['-LLL', '-x', '-H', server.url, '-b', 'DC=corp,DC=example,DC=com', '(sAMAccountName=alice)']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Operations error \(1\)/);
    assert.match(r.out, /000004DC: LdapErr: DSID-0C090A5C/);
  });

  it('a locked user answers 775 after runtime lock, and signs in after unlock', async () => {
    server.directory.lock('alice');
    assert.match((await whoami('CORP\\alice', 'Alice-Pa55')).out, /data 775/);
    server.directory.unlock('alice');
    assert.equal((await whoami('CORP\\alice', 'Alice-Pa55')).out.trim(), 'u:CORP\\alice');
  });
});
