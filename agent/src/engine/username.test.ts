import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toOktaLogin, type UsernameFormat } from './username.ts';

describe('toOktaLogin: RADIUS User-Name → Okta login', () => {
  const corp: UsernameFormat = { suffix: '@corp.example.com', stripDomain: true };

  it('bare name, UPN and down-level name all resolve to the same login with a suffix', () => {
    for (const sent of ['alice', 'alice@corp.example.com', 'CORP\\alice']) {
      assert.equal(toOktaLogin(sent, corp), 'alice@corp.example.com', sent);
    }
  });

  it('stripDomain is the default', () => {
    assert.equal(toOktaLogin('CORP\\alice', { suffix: '@corp.example.com' }), 'alice@corp.example.com');
    assert.equal(toOktaLogin('CORP\\alice', {}), 'alice');
  });

  it('without a suffix: a bare name is sent as is, a UPN is the login', () => {
    assert.equal(toOktaLogin('alice', {}), 'alice');
    assert.equal(toOktaLogin('alice@corp.example.com', {}), 'alice@corp.example.com');
    assert.equal(toOktaLogin('CORP\\alice@corp.example.com', {}), 'alice@corp.example.com');
  });

  it('a name with @ is never given the suffix, whatever its domain', () => {
    assert.equal(toOktaLogin('alice@other.example', corp), 'alice@other.example');
    assert.equal(toOktaLogin('CORP\\alice@other.example', corp), 'alice@other.example');
  });

  it('stripDomain false: a down-level name is used exactly as sent (no suffix)', () => {
    const keep: UsernameFormat = { suffix: '@corp.example.com', stripDomain: false };
    assert.equal(toOktaLogin('CORP\\alice', keep), 'CORP\\alice');
    assert.equal(toOktaLogin('alice', keep), 'alice@corp.example.com');
    assert.equal(toOktaLogin('alice@corp.example.com', keep), 'alice@corp.example.com');
  });

  it('whitespace and NAS NUL padding are dropped; nothing left means no user name', () => {
    assert.equal(toOktaLogin('  alice \0\0', corp), 'alice@corp.example.com');
    assert.equal(toOktaLogin('CORP\\ alice', corp), 'alice@corp.example.com');
    assert.equal(toOktaLogin('', corp), '');
    assert.equal(toOktaLogin('   ', corp), '');
    assert.equal(toOktaLogin('CORP\\', corp), '');
  });

  it('only the last backslash counts', () => {
    assert.equal(toOktaLogin('A\\B\\alice', corp), 'alice@corp.example.com');
  });
});
