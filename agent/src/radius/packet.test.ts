import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePacket, encodeRequest } from './codec.ts';
import { attributeByName, attributeByType, attributeName, MicrosoftAttributeType, VendorId } from './dictionary.ts';
import {
  attr,
  getAll,
  getInteger,
  getIp,
  getOctets,
  getText,
  getVendorAttributes,
  parseVendorSpecific,
  type RadiusAttribute,
} from './packet.ts';
import { bytesToIpv6, ipv6ToBytes } from './values.ts';

function roundTrip(attributes: RadiusAttribute[]) {
  const r = decodePacket(encodeRequest({ code: 1, identifier: 1, attributes }, 's'));
  if (!r.ok) throw r.error;
  return r.packet;
}

describe('typed attributes', () => {
  it('text, integer, IPv4 and IPv6 survive the wire', () => {
    const p = roundTrip([
      attr.text('User-Name', 'zoë@example.com'),
      attr.integer('Session-Timeout', 4_000_000_000),
      attr.ip('NAS-IP-Address', '10.1.2.3'),
      attr.ip('NAS-IPv6-Address', '2001:db8::1'),
      attr.date('Event-Timestamp', Date.UTC(2026, 0, 5)),
    ]);
    assert.equal(getText(p, 'User-Name'), 'zoë@example.com');
    assert.equal(getInteger(p, 'Session-Timeout'), 4_000_000_000);
    assert.equal(getIp(p, 'NAS-IP-Address'), '10.1.2.3');
    assert.equal(getIp(p, 'NAS-IPv6-Address'), '2001:db8::1');
    assert.equal(getInteger(p, 'Event-Timestamp'), Date.UTC(2026, 0, 5) / 1000);
    assert.equal(getText(p, 'Reply-Message'), undefined);
  });

  it('keeps repeated attributes in order', () => {
    const p = roundTrip([attr.octets('Proxy-State', 'a'), attr.text('User-Name', 'u'), attr.octets('Proxy-State', 'b')]);
    assert.deepEqual(
      getAll(p, 'Proxy-State').map((v) => Buffer.from(v).toString()),
      ['a', 'b'],
    );
  });

  it('splits long text across attributes without cutting a character', () => {
    const text = 'é'.repeat(300);
    const parts = attr.texts('Reply-Message', text);
    assert.equal(parts.length, 3);
    assert.ok(parts.every((a) => a.value.length <= 253));
    assert.equal(parts.map((a) => Buffer.from(a.value).toString('utf8')).join(''), text);
  });

  it('rejects bad values with coded errors', () => {
    assert.throws(() => attr.integer('NAS-Port', -1), { code: 'RADIUS_BAD_VALUE' });
    assert.throws(() => attr.ip('NAS-IP-Address', '300.1.1.1'), { code: 'RADIUS_BAD_VALUE' });
    assert.throws(() => attr.text('No-Such-Thing' as 'User-Name', 'x'), { code: 'RADIUS_UNKNOWN_ATTRIBUTE' });
    assert.throws(() => getInteger({ attributes: [{ type: 5, value: new Uint8Array(3) }] }, 'NAS-Port'), { code: 'RADIUS_BAD_VALUE' });
  });

  it('IPv6 text forms normalise', () => {
    for (const [input, out] of [
      ['::1', '::1'],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ]) {
      assert.equal(bytesToIpv6(ipv6ToBytes(input!)), out);
    }
  });
});

describe('vendor-specific attributes', () => {
  it('different vendors are never merged, same vendor keeps order', () => {
    const p = roundTrip([
      attr.octets('MS-CHAP-Challenge', Buffer.alloc(16, 1)),
      attr.vendor(9, MicrosoftAttributeType.MsChapChallenge, Buffer.from('cisco')),
      attr.octets('MS-CHAP2-Response', Buffer.alloc(50, 2)),
    ]);
    assert.equal(p.attributes.length, 4); // MA + three VSAs, each its own type-26
    assert.deepEqual(Buffer.from(getOctets(p, 'MS-CHAP-Challenge')!), Buffer.alloc(16, 1));
    assert.equal(getVendorAttributes(p, VendorId.Microsoft).length, 2);
    assert.deepEqual(
      getVendorAttributes(p, 9).map((s) => Buffer.from(s.value).toString()),
      ['cisco'],
    );
    assert.equal(getAll(p, 'MS-CHAP-Challenge').length, 1, 'the Cisco sub-type 11 is not an MS-CHAP-Challenge');
  });

  it('parses several sub-attributes in one VSA and tolerates non-standard formats', () => {
    const v = Buffer.from([0, 0, 1, 55, 1, 4, 0xaa, 0xbb, 11, 3, 0xcc]);
    const parsed = parseVendorSpecific({ type: 26, value: v });
    assert.equal(parsed?.vendorId, 311);
    assert.deepEqual(
      parsed?.subAttributes?.map((s) => [s.vendorType, Buffer.from(s.value).toString('hex')]),
      [
        [1, 'aabb'],
        [11, 'cc'],
      ],
    );
    const odd = parseVendorSpecific({ type: 26, value: Buffer.from([0, 0, 0, 9, 1, 200, 1]) });
    assert.equal(odd?.vendorId, 9);
    assert.equal(odd?.subAttributes, undefined);
    assert.equal(parseVendorSpecific({ type: 26, value: Buffer.from([0, 0]) }), undefined);
    assert.equal(parseVendorSpecific({ type: 1, value: v }), undefined);
  });
});

describe('dictionary', () => {
  it('looks up by name (case-insensitive) and type, and names unknowns', () => {
    assert.equal(attributeByName('message-authenticator')?.type, 80);
    assert.equal(attributeByType(25, 311)?.name, 'MS-CHAP2-Response');
    assert.equal(attributeByType(18)?.dataType, 'text');
    assert.equal(attributeName(200), 'Attr-200');
    assert.equal(attributeName(99, 9), 'Vendor-9-Attr-99');
  });
});
