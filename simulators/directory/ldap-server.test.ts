/**
 * The directory over real TCP (loopback), driven by the ldapjs client the AD
 * Connector simulator uses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import ldap from 'ldapjs';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { type AdData, WORKSPACES_MESSAGES } from './ad-codes.ts';
import { bindNameFor, ldapBindCheck } from './bind-client.ts';
import { type DirectoryServer, startDirectory } from './ldap-server.ts';

const ldif = readFileSync(new URL('./seed.example.ldif', import.meta.url), 'utf8');
const ALICE_DN = 'CN=Alice Smith,OU=Users,DC=corp,DC=example,DC=com';

/** A bound ldapjs client's search, as plain objects. Bounded by the client's own timeouts. */
async function search(
  url: string,
  who: { name: string; password: string } | undefined,
  base: string,
  filter: string,
  attributes: string[],
): Promise<Array<Record<string, string | string[]>>> {
  const client = ldap.createClient({ url, timeout: 5000, connectTimeout: 5000 });
  client.on('error', () => {});
  try {
    if (who) await new Promise<void>((res, rej) => client.bind(who.name, who.password, (e) => (e ? rej(e) : res())));
    return await new Promise((res, rej) => {
      client.search(base, { scope: 'sub', filter, attributes }, (err, emitter) => {
        if (err) return rej(err);
        const out: Array<Record<string, string | string[]>> = [];
        emitter.on('searchEntry', (entry) => {
          const row: Record<string, string | string[]> = { dn: String(entry.objectName ?? '') };
          for (const a of entry.attributes) row[a.type] = a.values.length === 1 ? a.values[0]! : a.values;
          out.push(row);
        });
        emitter.on('error', rej);
        emitter.on('end', () => res(out));
      });
    });
  } finally {
    client.destroy();
  }
}

describe('directory server with the ldapjs client', () => {
  let server: DirectoryServer;
  const clock = new VirtualClock();
  const check = (username: string, password: string, timeoutMs = 5000) =>
    ldapBindCheck({ url: server.url, username, password, domain: 'CORP', timeoutMs, clock });

  before(async () => {
    server = await startDirectory({ ldif, clock, domain: 'CORP', baseDn: 'DC=corp,DC=example,DC=com' });
  });
  after(async () => {
    await server.close();
  });

  it('listens on a loopback port', () => {
    assert.match(server.url, /^ldap:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.port > 0);
  });

  it('signs alice in by DN, CORP\\alice, UPN and bare name (the domain added), any case', async () => {
    for (const username of [ALICE_DN, 'CORP\\alice', 'corp\\Alice', 'alice@corp.example.com', 'ALICE@CORP.EXAMPLE.COM', 'alice']) {
      const r = await check(username, 'Alice-Pa55');
      assert.equal(r.ok, true, username);
      assert.equal(r.ok && r.identity, 'CORP\\alice', username);
    }
    const byDn = await check(ALICE_DN, 'Alice-Pa55');
    assert.equal(byDn.ok && byDn.dn, ALICE_DN);
  });

  it('answers each account state with resultCode 49 and AD data code, mapped to user words', async () => {
    const cases: Array<[string, string, AdData]> = [
      ['alice', 'wrong', '52e'],
      ['nobody', 'x', '525'],
      ['carol', 'Carol-Pa55', '533'],
      ['dave', 'Dave-Pa55', '775'],
      ['erin', 'Erin-Pa55', '701'],
      ['frank', 'Frank-Pa55', '773'],
      ['grace', 'Grace-Pa55', '532'],
      ['heidi', 'Heidi-Pa55', '530'],
      ['ivan', 'Ivan-Pa55', '531'],
      ['carol', 'wrong', '52e'],
    ];
    for (const [user, password, adData] of cases) {
      const r = await check(`CORP\\${user}`, password);
      assert.deepEqual(
        r,
        { ok: false, reason: 'invalid-credentials', adData, resultCode: 49, message: WORKSPACES_MESSAGES[adData] },
        `${user}/${adData}`,
      );
    }
  });

  it('follows runtime control: disable, then enable', async () => {
    server.directory.disable('alice');
    assert.equal((await check('CORP\\alice', 'Alice-Pa55')).ok, false);
    server.directory.enable('alice');
    assert.equal((await check('CORP\\alice', 'Alice-Pa55')).ok, true);
  });

  it('never signs in with an empty password: the client refuses to send it, the server keeps it anonymous', async () => {
    const before = server.directory.events.length;
    assert.deepEqual(await check('CORP\\alice', ''), { ok: false, reason: 'unauthenticated-bind', message: 'Enter your password' });
    assert.equal(server.directory.events.length, before, 'nothing was sent');
    // Sent anyway by a careless client: success, but anonymous (WhoAmI empty, search refused).
    const client = ldap.createClient({ url: server.url, timeout: 5000, connectTimeout: 5000 });
    client.on('error', () => {});
    try {
      await new Promise<void>((res, rej) => client.bind('CORP\\alice', '', (e) => (e ? rej(e) : res())));
      const who = await new Promise<unknown>((res, rej) => client.exop('1.3.6.1.4.1.4203.1.11.3', '', (e, v) => (e ? rej(e) : res(v))));
      assert.equal(who, '');
    } finally {
      client.destroy();
    }
    const last = server.directory.events.at(-1);
    assert.equal(last?.kind === 'bind' && last.outcome, 'unauthenticated');
  });

  it('searches a bound connection: user by sAMAccountName with memberOf (mixed-case attribute names)', async () => {
    const rows = await search(server.url, { name: 'CORP\\alice', password: 'Alice-Pa55' }, 'DC=corp,DC=example,DC=com', '(&(objectClass=user)(sAMAccountName=ALICE))', [
      'sAMAccountName',
      'memberOf',
      'userPrincipalName',
      'userPassword',
    ]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!['dn'], ALICE_DN);
    assert.equal(rows[0]!['sAMAccountName'], 'alice');
    assert.equal(rows[0]!['userPrincipalName'], 'alice@corp.example.com');
    assert.deepEqual(rows[0]!['memberOf'], ['CN=Finance,OU=Groups,DC=corp,DC=example,DC=com', 'CN=WorkSpaces Users,OU=Groups,DC=corp,DC=example,DC=com']);
    assert.equal(rows[0]!['userPassword'], undefined);
  });

  it('filters by memberOf and the AD disabled-bit rule', async () => {
    const who = { name: 'alice@corp.example.com', password: 'Alice-Pa55' };
    const members = await search(server.url, who, 'OU=Users,DC=corp,DC=example,DC=com', '(memberOf=CN=WorkSpaces Users,OU=Groups,DC=corp,DC=example,DC=com)', ['sAMAccountName']);
    assert.deepEqual(members.map((r) => r['sAMAccountName']), ['alice']);
    const disabled = await search(server.url, who, 'DC=corp,DC=example,DC=com', '(userAccountControl:1.2.840.113556.1.4.803:=2)', ['sAMAccountName']);
    assert.deepEqual(disabled.map((r) => r['sAMAccountName']), ['carol']);
  });

  it('refuses an anonymous search with AD\'s operations error 000004DC, but shows the RootDSE', async () => {
    await assert.rejects(
      search(server.url, undefined, 'DC=corp,DC=example,DC=com', '(sAMAccountName=alice)', []),
      (e: { code?: number }) => e.code === 1,
    );
    const client = ldap.createClient({ url: server.url, timeout: 5000, connectTimeout: 5000 });
    client.on('error', () => {});
    try {
      const root = await new Promise<string[]>((res, rej) =>
        client.search('', { scope: 'base', attributes: ['defaultNamingContext'] }, (err, em) => {
          if (err) return rej(err);
          const got: string[] = [];
          em.on('searchEntry', (e) => got.push(...e.attributes.flatMap((a) => a.values)));
          em.on('error', rej);
          em.on('end', () => res(got));
        }),
      );
      assert.deepEqual(root, ['DC=corp,DC=example,DC=com']);
    } finally {
      client.destroy();
    }
  });

  it('goes down (refusing): unreachable; comes back on the same port', async () => {
    const port = server.port;
    await server.goDown();
    assert.equal(server.isUp, false);
    const r = await check('CORP\\alice', 'Alice-Pa55');
    assert.equal(r.ok === false && r.reason, 'unreachable');
    assert.match(r.ok ? '' : r.message, /could not be reached \(ECONNREFUSED\)/);
    await server.comeBack();
    assert.equal(server.port, port);
    assert.equal((await check('CORP\\alice', 'Alice-Pa55')).ok, true);
  });

  it('goes down (hanging): the check times out when the shared clock passes the timeout', async () => {
    await server.goDown('hang');
    const pending = check('CORP\\alice', 'Alice-Pa55', 3000);
    // Give the bind time to reach the server over loopback, then move virtual time.
    await new Promise((r) => setTimeout(r, 100));
    await clock.advance(3000);
    const r = await pending;
    assert.deepEqual(r, { ok: false, reason: 'timeout', message: `The directory at ${server.url} did not answer within 3000 ms` });
    await server.comeBack();
    assert.equal((await check('CORP\\alice', 'Alice-Pa55')).ok, true);
  });
});

describe('bindNameFor', () => {
  it('adds the domain to bare names only', () => {
    assert.equal(bindNameFor('alice', 'CORP'), 'CORP\\alice');
    assert.equal(bindNameFor('OTHER\\alice', 'CORP'), 'OTHER\\alice');
    assert.equal(bindNameFor('alice@corp.example.com', 'CORP'), 'alice@corp.example.com');
    assert.equal(bindNameFor(ALICE_DN, 'CORP'), ALICE_DN);
    assert.equal(bindNameFor('alice'), 'alice');
  });
});

describe('unreachable directory', () => {
  it('a port nobody listens on is "unreachable", not an exception', async () => {
    const s = await startDirectory({ clock: new VirtualClock() });
    const url = s.url;
    await s.close();
    const r = await ldapBindCheck({ url, username: 'CORP\\alice', password: 'x', timeoutMs: 5000 });
    assert.equal(r.ok === false && r.reason, 'unreachable');
  });
});
