import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isCodedError } from '../../agent/src/errors.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { Directory } from './directory.ts';
import { entriesFromLdif } from './ldif.ts';

const BASE = 'DC=corp,DC=example,DC=com';
const seed = entriesFromLdif(readFileSync(new URL('./seed.example.ldif', import.meta.url), 'utf8'));

function make(policy?: ConstructorParameters<typeof Directory>[0]['policy']) {
  const clock = new VirtualClock();
  return { clock, dir: new Directory({ domain: 'CORP', baseDn: BASE, clock, entries: seed, policy }) };
}
const ALL = { type: 'and' as const, filters: [] };

describe('Directory: bind names', () => {
  it('resolves DN, CORP\\user and UPN, case-insensitively, to the same entry', () => {
    const { dir } = make();
    for (const name of [
      'CN=Alice Smith,OU=Users,DC=corp,DC=example,DC=com',
      'cn=alice smith, ou=users, dc=CORP, dc=example, dc=com',
      'CORP\\alice',
      'corp\\ALICE',
      'corp.example.com\\alice',
      'alice@corp.example.com',
      'Alice@Corp.Example.Com',
    ]) {
      const r = dir.bind(name, 'Alice-Pa55');
      assert.equal(r.kind, 'ok', name);
      assert.equal(r.kind === 'ok' && r.identity, 'CORP\\alice');
    }
  });

  it('accepts the implicit UPN sAMAccountName@dns-domain, refuses other domains and bare names', () => {
    const { dir } = make();
    assert.equal(dir.bind('dave@corp.example.com', 'Dave-Pa55').kind, 'invalid'); // found (775), not 525
    assert.equal(dir.resolveBindName('dave@corp.example.com').entry?.sAMAccountName, 'dave');
    assert.equal(dir.resolveBindName('OTHER\\alice').entry, undefined);
    assert.equal(dir.resolveBindName('alice@other.example.com').entry, undefined);
    assert.deepEqual(dir.resolveBindName('alice'), { form: 'unrecognised', entry: undefined });
  });

  it('answers each seeded state with its AD code and the diagnostic AD sends', () => {
    const { dir } = make();
    const expected: Record<string, string> = {
      carol: '533',
      dave: '775',
      erin: '701',
      frank: '773',
      grace: '532',
      heidi: '530',
      ivan: '531',
    };
    for (const [sam, code] of Object.entries(expected)) {
      const pw = `${sam[0]!.toUpperCase()}${sam.slice(1)}-Pa55`;
      const r = dir.bind(`CORP\\${sam}`, pw);
      assert.equal(r.kind === 'invalid' && r.adData, code, sam);
      assert.match(r.kind === 'invalid' ? r.diagnosticMessage : '', new RegExp(`AcceptSecurityContext error, data ${code}, v893$`));
      const wrong = dir.bind(`CORP\\${sam}`, 'wrong');
      assert.equal(wrong.kind === 'invalid' && wrong.adData, '52e', `${sam} wrong password`);
    }
    assert.equal(dir.bind('CORP\\judy', 'Pa55-word!').kind, 'ok');
    assert.equal((dir.bind('CORP\\nobody', 'x') as { adData: string }).adData, '525');
    assert.equal(dir.bind('CORP\\alice', '').kind, 'unauthenticated');
  });

  it('records binds as events without the password', () => {
    const { dir } = make();
    dir.bind('CORP\\alice', 'Alice-Pa55');
    dir.bind('CORP\\alice', 'oops-Secret');
    assert.deepEqual(
      dir.events.map((e) => (e.kind === 'bind' ? [e.form, e.outcome, e.adData] : [])),
      [
        ['downlevel', 'ok', undefined],
        ['downlevel', 'invalid', '52e'],
      ],
    );
    const text = JSON.stringify(dir.events) + JSON.stringify(dir.list());
    assert.ok(!text.includes('Alice-Pa55') && !text.includes('oops-Secret'));
  });
});

describe('Directory: lockout on the shared clock', () => {
  it('locks after the threshold, unlocks when the duration passes on the virtual clock', async () => {
    const { dir, clock } = make({ lockoutThreshold: 3, lockoutObservationWindowMs: 600_000, lockoutDurationMs: 900_000 });
    for (let i = 0; i < 3; i++) assert.equal((dir.bind('CORP\\alice', 'bad') as { adData: string }).adData, '52e');
    const last = dir.events.at(-1);
    assert.equal(last?.kind === 'bind' && last.lockedOut, true);
    assert.equal((dir.bind('CORP\\alice', 'Alice-Pa55') as { adData: string }).adData, '775');
    await clock.advance(900_000);
    assert.equal(dir.bind('CORP\\alice', 'Alice-Pa55').kind, 'ok');
  });
});

describe('Directory: runtime control', () => {
  it('disable / enable / lock / unlock / expire / mustChange / setPassword / expirePassword', () => {
    const { dir } = make();
    const code = () => {
      const r = dir.bind('CORP\\alice', 'Alice-Pa55');
      return r.kind === 'invalid' ? r.adData : r.kind;
    };
    dir.disable('alice');
    assert.equal(code(), '533');
    dir.enable('CORP\\alice');
    assert.equal(code(), 'ok');
    dir.lock('alice@corp.example.com');
    assert.equal(code(), '775');
    dir.unlock('alice');
    assert.equal(code(), 'ok');
    dir.expire('alice');
    assert.equal(code(), '701');
    dir.expire('alice', 'never');
    dir.mustChange('alice');
    assert.equal(code(), '773');
    dir.setPassword('alice', 'Alice-Pa55');
    assert.equal(code(), 'ok');
    dir.expirePassword('alice');
    assert.equal(code(), '532');
    dir.setPassword('alice', 'New-Pa55');
    assert.equal(code(), '52e');
    assert.equal(dir.bind('CORP\\alice', 'New-Pa55').kind, 'ok');
    dir.restrictWorkstations('alice', ['WS9']);
    assert.equal(dir.bind('CORP\\alice', 'New-Pa55').kind === 'invalid', true);
    assert.ok(dir.events.some((e) => e.kind === 'control' && e.action === 'disable'));
  });

  it('names an unknown user in the error', () => {
    const { dir } = make();
    assert.throws(() => dir.disable('mallory'), (e: unknown) => isCodedError(e, 'DIRECTORY_NO_SUCH_USER') && /mallory/.test(e.message));
  });

  it('refuses entries outside the base DN and a bad configuration', () => {
    const { dir } = make();
    assert.throws(() => dir.add({ dn: 'CN=X,DC=other,DC=com' }), (e: unknown) => isCodedError(e, 'DIRECTORY_ENTRY_INVALID'));
    assert.throws(() => new Directory({ domain: 'CORP', baseDn: 'corp.example.com', clock: new VirtualClock() }), /not a DN/);
    assert.throws(() => new Directory({ domain: 'CORP\\X', baseDn: BASE, clock: new VirtualClock() }), /NetBIOS/);
  });
});

describe('Directory: search', () => {
  it('finds a user by sAMAccountName (any case) with memberOf from both sides', () => {
    const { dir } = make();
    const r = dir.search({ base: BASE, scope: 'sub', filter: { type: 'equal', attribute: 'samaccountname', value: 'ALICE' } });
    assert.ok(r.ok);
    assert.equal(r.entries.length, 1);
    assert.deepEqual(r.entries[0]!.attributes['memberOf'], [
      'CN=Finance,OU=Groups,DC=corp,DC=example,DC=com',
      'CN=WorkSpaces Users,OU=Groups,DC=corp,DC=example,DC=com',
    ]);
    assert.equal(r.entries[0]!.attributes['userPassword'], undefined);
    assert.ok(!JSON.stringify(r).includes('Alice-Pa55'));
  });

  it('filters on objectClass, UPN, memberOf (as a DN), substrings and AD bit rules', () => {
    const { dir } = make();
    const names = (filter: Parameters<Directory['search']>[0]['filter'], scope: 'sub' | 'one' | 'base' = 'sub', base = BASE) => {
      const r = dir.search({ base, scope, filter });
      return r.ok ? r.entries.map((e) => e.attributes['sAMAccountName']?.[0] ?? e.dn).sort() : r.reason;
    };
    assert.deepEqual(names({ type: 'equal', attribute: 'userPrincipalName', value: 'CAROL@corp.example.com' }), ['carol']);
    assert.deepEqual(names({ type: 'equal', attribute: 'memberOf', value: 'cn=workspaces users, ou=groups,dc=corp,dc=example,dc=com' }), ['alice']);
    assert.deepEqual(names({ type: 'and', filters: [{ type: 'equal', attribute: 'objectClass', value: 'group' }] }), ['WorkSpaces Users']);
    assert.deepEqual(names({ type: 'substring', attribute: 'sAMAccountName', initial: 'h', any: [], final: 'i' }), ['heidi']);
    assert.deepEqual(names({ type: 'extensible', attribute: 'userAccountControl', rule: '1.2.840.113556.1.4.803', value: '2' }), ['carol']);
    assert.deepEqual(names({ type: 'not', filter: { type: 'present', attribute: 'sAMAccountName' } }, 'one'), ['OU=Groups,DC=corp,DC=example,DC=com', 'OU=Users,DC=corp,DC=example,DC=com']);
    assert.deepEqual(names(ALL, 'base', 'CN=Carol Disabled,OU=Users,DC=corp,DC=example,DC=com'), ['carol']);
    assert.equal(names(ALL, 'base', 'CN=Nobody,DC=corp,DC=example,DC=com'), 'noSuchObject');
    assert.equal(names(ALL, 'sub', 'DC=elsewhere,DC=com'), 'noSuchObject');
  });

  it('returns AD formats: FILETIME times, pwdLastSet 0, computed lockout', () => {
    const { dir } = make();
    const get = (sam: string) => {
      const r = dir.search({ base: BASE, scope: 'sub', filter: { type: 'equal', attribute: 'sAMAccountName', value: sam } });
      return r.ok ? r.entries[0]!.attributes : {};
    };
    assert.deepEqual(get('erin')['accountExpires'], ['133801632000000000']);
    assert.deepEqual(get('alice')['accountExpires'], ['9223372036854775807']);
    assert.deepEqual(get('frank')['pwdLastSet'], ['0']);
    assert.deepEqual(get('dave')['msDS-User-Account-Control-Computed'], ['16']);
    assert.deepEqual(get('alice')['cn'], ['Alice Smith']);
  });

  it('has the domain object even if the seed lacks it', () => {
    const { dir } = make();
    const r = dir.search({ base: BASE, scope: 'base', filter: { type: 'present', attribute: 'objectClass' } });
    assert.ok(r.ok && r.entries[0]!.attributes['objectClass']!.includes('domainDNS'));
  });
});
