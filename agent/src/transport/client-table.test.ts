import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientTable, parseAddressBlock, parseSourceAddress } from './client-table.ts';

describe('ClientTable', () => {
  const table = new ClientTable([
    { name: 'office', address: '10.0.0.0/8' },
    { name: 'connector-a', address: '10.1.2.3' },
    { name: 'v6-net', address: '2001:db8::/32' },
    { name: 'v6-host', address: '2001:db8::10' },
    { name: 'loopback', address: '127.0.0.1' },
  ]);

  it('matches exact addresses and CIDR blocks, most specific first', () => {
    assert.equal(table.match('10.1.2.3')?.name, 'connector-a');
    assert.equal(table.match('10.1.2.4')?.name, 'office');
    assert.equal(table.match('2001:db8::10')?.name, 'v6-host');
    assert.equal(table.match('2001:DB8:0::11')?.name, 'v6-net');
    assert.equal(table.match('127.0.0.1')?.name, 'loopback');
  });

  it('does not match outside addresses or the other family', () => {
    assert.equal(table.match('11.0.0.1'), undefined);
    assert.equal(table.match('2001:db9::1'), undefined);
    assert.equal(table.match('::1'), undefined);
    assert.equal(table.match('not-an-ip'), undefined);
  });

  it('treats IPv4-mapped IPv6 sources (dual-stack sockets) as IPv4', () => {
    assert.equal(table.match('::ffff:10.1.2.3')?.name, 'connector-a');
    assert.deepEqual(parseSourceAddress('::ffff:127.0.0.1'), { family: 4, bytes: Buffer.from([127, 0, 0, 1]) });
  });

  it('handles /0 and non-octet prefixes', () => {
    const t = new ClientTable([
      { name: 'any', address: '0.0.0.0/0' },
      { name: 'slash-20', address: '192.168.16.0/20' },
    ]);
    assert.equal(t.match('192.168.31.255')?.name, 'slash-20');
    assert.equal(t.match('192.168.32.0')?.name, 'any');
    assert.deepEqual(parseAddressBlock('192.168.17.5/20').bytes, Buffer.from([192, 168, 16, 0]));
  });

  it('refuses bad or duplicate entries with CONFIG_BAD_CLIENT_ADDRESS', () => {
    for (const address of ['10.0.0.1/33', 'example.com', '10.0.0.0/8/8', '::/129', '10.0.0.0/x', '']) {
      assert.throws(() => new ClientTable([{ address }]), { code: 'CONFIG_BAD_CLIENT_ADDRESS' }, address);
    }
    assert.throws(() => new ClientTable([{ address: '10.0.0.1' }, { address: '10.0.0.1/32' }]), { code: 'CONFIG_BAD_CLIENT_ADDRESS' });
  });
});
