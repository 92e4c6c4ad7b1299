import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isCodedError } from '../../agent/src/errors.ts';
import { entriesFromLdif, parseLdif } from './ldif.ts';

describe('parseLdif', () => {
  it('reads records, multi-valued attributes, comments, continuation lines and base64', () => {
    const text = [
      'version: 1',
      '# a comment',
      '#  folded comment',
      ' that continues',
      'dn: CN=Alice Smith,OU=Users,',
      ' DC=corp,DC=example,DC=com',
      'objectClass: top',
      'objectclass: user',
      `description:: ${Buffer.from('Zoë — café').toString('base64')}`,
      'displayName: Alice',
      '  Smith',
      '',
      '',
      'dn: CN=Bob,DC=corp,DC=example,DC=com',
      'cn;lang-en: Bob',
      '',
    ].join('\r\n');
    const records = parseLdif(text);
    assert.equal(records.length, 2);
    assert.equal(records[0]!.dn, 'CN=Alice Smith,OU=Users,DC=corp,DC=example,DC=com');
    assert.deepEqual(records[0]!.attributes.get('objectClass'), ['top', 'user']);
    assert.deepEqual(records[0]!.attributes.get('description'), ['Zoë — café']);
    assert.deepEqual(records[0]!.attributes.get('displayName'), ['Alice Smith']);
    assert.deepEqual(records[1]!.attributes.get('cn'), ['Bob']);
    assert.equal(records[1]!.line, 14);
  });

  it('refuses bad input with the line and what to do', () => {
    const cases: Array<[string, RegExp]> = [
      ['objectClass: user\n', /:1: a record must start with "dn:"/],
      ['dn: CN=A,DC=x\nno colon here\n', /:2: expected "attribute: value"/],
      ['dn: CN=A,DC=x\nchangetype: add\n', /:2: change records are not supported/],
      ['dn: CN=A,DC=x\njpegPhoto:< file:///tmp/x.jpg\n', /:2: URL values/],
      ['dn: CN=A,DC=x\nmail:: not*base64\n', /:2: invalid base64/],
      ['dn: CN=A,DC=x\ndn: CN=B,DC=x\n', /:2: a second "dn:"/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseLdif(text, 'seed.ldif'),
        (e: unknown) => isCodedError(e, 'DIRECTORY_LDIF_INVALID') && message.test(e.message) && e.message.includes('seed.ldif:'),
        text,
      );
    }
  });
});

describe('entriesFromLdif', () => {
  const seed = readFileSync(new URL('./seed.example.ldif', import.meta.url), 'utf8');
  const entries = entriesFromLdif(seed);
  const byName = (sam: string) => entries.find((e) => e.sAMAccountName === sam)!;

  it('maps AD attributes onto the model', () => {
    const alice = byName('alice');
    assert.equal(alice.dn, 'CN=Alice Smith,OU=Users,DC=corp,DC=example,DC=com');
    assert.equal(alice.userPrincipalName, 'alice@corp.example.com');
    assert.equal(alice.userAccountControl, 512);
    assert.deepEqual(alice.memberOf, ['CN=Finance,OU=Groups,DC=corp,DC=example,DC=com']);
    assert.deepEqual(alice.objectClass, ['top', 'person', 'organizationalPerson', 'user']);
    assert.equal(byName('erin').accountExpires, Date.UTC(2025, 0, 1));
    assert.equal(byName('frank').pwdLastSet, 0);
    assert.equal(byName('alice').pwdLastSet, undefined); // "now" when added
    assert.equal(byName('heidi').logonHours?.length, 21);
    assert.deepEqual(byName('ivan').userWorkstations, ['WS01']);
  });

  it('takes the cleartext password from userPassword, or from AD-style unicodePwd', () => {
    assert.equal(byName('alice').password, 'Alice-Pa55');
    assert.equal(byName('judy').password, 'Pa55-word!');
    assert.equal(byName('alice').extra?.['userPassword'], undefined);
  });

  it('keeps other attributes (group members, ou) as extras', () => {
    const group = entries.find((e) => e.dn.startsWith('CN=WorkSpaces Users'))!;
    assert.deepEqual(group.extra?.['member'], ['CN=Alice Smith,OU=Users,DC=corp,DC=example,DC=com']);
  });

  it('refuses values the model cannot use', () => {
    assert.throws(() => entriesFromLdif('dn: CN=A,DC=x\nuserAccountControl: lots\n'), /userAccountControl must be a decimal number/);
    assert.throws(() => entriesFromLdif('dn: CN=A,DC=x\naccountExpires: tomorrow\n'), /accountExpires must be an AD FILETIME/);
    assert.throws(() => entriesFromLdif('dn: CN=A,DC=x\nmail: a\nmail: b\n'), /mail must have one value/);
    assert.throws(() => entriesFromLdif('dn: CN=A,DC=x\nlogonHours:: AAAA\n'), /logonHours must be 21 bytes/);
  });
});
