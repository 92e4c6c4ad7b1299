// Tests that kill mutants StrykerJS found alive in username.ts (npm run mutation,
// MUTATION.md): the edges of the User-Name rules the main tests did not pin.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toOktaLogin } from './username.ts';

describe('toOktaLogin: edges found by mutation testing', () => {
  it('only trailing NULs are padding: a NUL inside the name is kept, so "al\\0ice" never becomes alice', () => {
    assert.equal(toOktaLogin('al\0ice', {}), 'al\0ice');
    assert.equal(toOktaLogin('al\0ice\0\0', { suffix: '@corp.example.com' }), 'al\0ice@corp.example.com');
  });

  it('a backslash in the first position is an empty DOMAIN\\ and goes like any other', () => {
    assert.equal(toOktaLogin('\\alice', { suffix: '@corp.example.com' }), 'alice@corp.example.com');
    // Without stripDomain the name is used exactly as sent: no suffix either.
    assert.equal(toOktaLogin('\\alice', { suffix: '@corp.example.com', stripDomain: false }), '\\alice');
  });
});
