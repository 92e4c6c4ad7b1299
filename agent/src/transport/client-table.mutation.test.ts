// Tests that kill mutants StrykerJS found alive in client-table.ts (npm run
// mutation -- transport, MUTATION.md): which sources count as IPv4-mapped, the
// prefix edges, and what a refused address tells the operator.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodedError } from '../errors.ts';
import { ClientTable, parseAddressBlock, parseSourceAddress } from './client-table.ts';

/** The CodedError a client table with these addresses refuses with. */
function refusal(...addresses: string[]): CodedError {
  try {
    new ClientTable(addresses.map((address) => ({ address })));
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  assert.fail(`${addresses.join(', ')} was accepted`);
}

describe('ClientTable: edges found by mutation testing', () => {
  it('only ::ffff:a.b.c.d is IPv4-mapped: other IPv6 sources sharing part of that prefix stay IPv6', () => {
    // A table that knows only the IPv4 client 10.1.2.3 (0a01:0203).
    const v4Only = new ClientTable([{ name: 'nas', address: '10.1.2.3' }]);
    assert.equal(v4Only.match('::ffff:10.1.2.3')?.name, 'nas');
    for (const source of [
      '1::ffff:a01:203', // a non-zero octet in the first ten
      '::ff00:a01:203', // octet 11 is not 0xff
      '::ff:a01:203', // octet 10 is not 0xff
      '::a01:203', // IPv4-compatible (::a.b.c.d), not mapped
    ]) {
      assert.equal(v4Only.match(source), undefined, source);
      assert.equal(parseSourceAddress(source)?.family, 6, source);
    }
    // The same sources do match an IPv6 entry of their own.
    const v6 = new ClientTable([{ name: 'v6', address: '1::ffff:a01:203' }]);
    assert.equal(v6.match('1::ffff:a01:203')?.name, 'v6');
    assert.equal(v6.match('::ffff:10.1.2.3'), undefined);
  });

  it('a zone index on a link-local source is ignored', () => {
    const t = new ClientTable([{ name: 'link', address: 'fe80::/64' }]);
    assert.equal(t.match('fe80::1%eth0')?.name, 'link');
  });

  it('accepts the longest prefix of each family (/32, /128) and spaces around an entry', () => {
    assert.deepEqual(parseAddressBlock('10.0.0.1/32'), { family: 4, bytes: Buffer.from([10, 0, 0, 1]), prefix: 32 });
    assert.equal(parseAddressBlock('2001:db8::1/128').prefix, 128);
    assert.deepEqual(parseAddressBlock('  10.0.0.0/8 '), { family: 4, bytes: Buffer.from([10, 0, 0, 0]), prefix: 8 });
    const t = new ClientTable([{ name: 'padded', address: ' 192.0.2.10 ' }]);
    assert.equal(t.match('192.0.2.10')?.name, 'padded');
    assert.equal(t.size, 1);
  });

  it('a prefix must be digits only', () => {
    for (const address of ['10.0.0.0/8x', '10.0.0.0/x8', '10.0.0.0/ 8', '10.0.0.0/', '10.0.0.0/1000']) {
      const e = refusal(address);
      assert.equal(e.code, 'CONFIG_BAD_CLIENT_ADDRESS', address);
      assert.match(e.message, /has a prefix outside 0\.\.32/, address);
    }
    assert.match(refusal('::/129').message, /has a prefix outside 0\.\.128/);
  });

  it('a refused address is named with why and what to write instead', () => {
    const cases: Array<[string[], RegExp]> = [
      [['10.0.0.0/8/8'], /'10\.0\.0\.0\/8\/8' has more than one "\/"/],
      [['example.com'], /'example\.com' is not an IP address/],
      [['10.0.0.1', '10.0.0.1/32'], /'10\.0\.0\.1\/32' is listed twice \(one secret per source address\)/],
    ];
    for (const [addresses, why] of cases) {
      const e = refusal(...addresses);
      assert.equal(e.code, 'CONFIG_BAD_CLIENT_ADDRESS');
      assert.match(e.message, why);
      assert.match(e.message, /; use an IP address \(192\.0\.2\.10, 2001:db8::10\) or a CIDR block \(10\.0\.0\.0\/8\)$/);
      assert.deepEqual(e.details, { address: addresses.at(-1) });
    }
  });

  it('size counts the entries', () => {
    assert.equal(new ClientTable([]).size, 0);
    assert.equal(new ClientTable([{ address: '10.0.0.0/8' }, { address: '10.0.0.0/16' }, { address: '::1' }]).size, 3);
  });
});
