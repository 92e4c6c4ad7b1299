import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RadiusCode } from './codes.ts';
import { hmacMd5 } from './crypto.ts';
import {
  authenticatorOf,
  decodePacket,
  decodePacketView,
  encodeRequest,
  encodeResponse,
  encodeStatusServer,
  RADIUS_MAX_LENGTH,
  verifyAccountingRequestAuthenticator,
  verifyMessageAuthenticator,
  verifyResponseAuthenticator,
} from './codec.ts';
import { AttributeType } from './dictionary.ts';
import { attr, getInteger, getIp, getText, type RadiusAttribute } from './packet.ts';
import { unhideUserPassword } from './user-password.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SECRET = 'xyzzy5461';

// RFC 2865 §7.1 "User Telnet to Specified Host": nemo / arctangent, secret xyzzy5461.
const RFC2865_REQUEST = hex(`01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
  98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8
  01 10 05 06 00 00 00 03`);
const RFC2865_ACCEPT = hex(`02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
  9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);
// RFC 5997 §6.1 "Minimal Query to Auth Port" and its Access-Accept.
const RFC5997_STATUS = hex(`0c da 00 26 8a 54 f4 68 6f b3 94 c5 28 66 e3 02
  18 5d 06 23 50 12 5a 66 5e 2e 1e 84 11 f3 e2 43
  82 20 97 c8 4f a3`);
const RFC5997_ACCEPT = hex('02 da 00 14 ef 0d 55 2a 4b f2 d6 93 ec 2b 6f e8 b5 41 1d 66');

function decodeOk(bytes: Uint8Array) {
  const r = decodePacket(bytes);
  if (!r.ok) throw r.error;
  return r;
}

describe('RFC 2865 §7.1 example', () => {
  it('decodes the Access-Request and recovers the password', () => {
    const { packet } = decodeOk(RFC2865_REQUEST);
    assert.equal(packet.code, RadiusCode.AccessRequest);
    assert.equal(packet.identifier, 0);
    assert.equal(getText(packet, 'User-Name'), 'nemo');
    assert.equal(getIp(packet, 'NAS-IP-Address'), '192.168.1.16');
    assert.equal(getInteger(packet, 'NAS-Port'), 3);
    const hidden = packet.attributes.find((a) => a.type === AttributeType.UserPassword)!.value;
    assert.equal(unhideUserPassword(hidden, SECRET, packet.authenticator).toString(), 'arctangent');
  });

  it('encodes the same Access-Request byte for byte', () => {
    const bytes = encodeRequest(
      {
        code: RadiusCode.AccessRequest,
        identifier: 0,
        authenticator: authenticatorOf(RFC2865_REQUEST),
        attributes: [attr.text('User-Name', 'nemo'), attr.ip('NAS-IP-Address', '192.168.1.16'), attr.integer('NAS-Port', 3)],
        userPassword: 'arctangent',
        messageAuthenticator: 'none',
      },
      SECRET,
    );
    assert.deepEqual(bytes, RFC2865_REQUEST);
  });

  it('encodes the Access-Accept byte for byte (historical form, without Message-Authenticator)', () => {
    const { packet } = decodeOk(RFC2865_REQUEST);
    const reply = encodeResponse(
      {
        code: RadiusCode.AccessAccept,
        attributes: [attr.integer('Service-Type', 1), attr.integer('Login-Service', 0), attr.ip('Login-IP-Host', '192.168.1.3')],
      },
      packet,
      SECRET,
      { messageAuthenticator: false },
    );
    assert.deepEqual(reply, RFC2865_ACCEPT);
    assert.equal(verifyResponseAuthenticator(RFC2865_ACCEPT, packet.authenticator, SECRET), true);
    assert.equal(verifyResponseAuthenticator(RFC2865_ACCEPT, packet.authenticator, 'wrong-secret'), false);
  });
});

describe('RFC 5997 §6.1 Status-Server', () => {
  it('verifies the example Message-Authenticator and re-encodes it byte for byte', () => {
    const { packet } = decodeOk(RFC5997_STATUS);
    assert.equal(packet.code, RadiusCode.StatusServer);
    assert.equal(packet.identifier, 0xda);
    assert.equal(verifyMessageAuthenticator(RFC5997_STATUS, SECRET), 'valid');
    assert.deepEqual(encodeStatusServer(0xda, SECRET, [], packet.authenticator), RFC5997_STATUS);
  });

  it('produces the example Access-Accept (without MA) and, by default, one with MA first', () => {
    const { packet } = decodeOk(RFC5997_STATUS);
    const legacy = encodeResponse({ code: RadiusCode.AccessAccept }, packet, SECRET, { messageAuthenticator: false });
    assert.deepEqual(legacy, RFC5997_ACCEPT);
    const modern = encodeResponse({ code: RadiusCode.AccessAccept }, packet, SECRET);
    assert.equal(modern[20], AttributeType.MessageAuthenticator);
    assert.equal(verifyMessageAuthenticator(modern, SECRET, packet.authenticator), 'valid');
    assert.equal(verifyResponseAuthenticator(modern, packet.authenticator, SECRET), true);
  });

  it('a Status-Server always carries a Message-Authenticator, even if asked not to', () => {
    const bytes = encodeRequest({ code: RadiusCode.StatusServer, identifier: 1, messageAuthenticator: 'none' }, SECRET);
    assert.equal(verifyMessageAuthenticator(bytes, SECRET), 'valid');
  });
});

describe('Message-Authenticator', () => {
  const request = (): Buffer =>
    encodeRequest(
      { code: RadiusCode.AccessRequest, identifier: 7, attributes: [attr.text('User-Name', 'alice')], userPassword: '123456' },
      'sharedsecret',
    );

  it('is placed first in requests by default and verifies', () => {
    const bytes = request();
    assert.equal(bytes[20], AttributeType.MessageAuthenticator);
    assert.equal(verifyMessageAuthenticator(bytes, 'sharedsecret'), 'valid');
  });

  it('any single changed byte of the MA value makes it invalid', () => {
    const bytes = request();
    for (let i = 22; i < 38; i++) {
      const t = Buffer.from(bytes);
      t[i] = t[i]! ^ 0x01;
      assert.equal(verifyMessageAuthenticator(t, 'sharedsecret'), 'invalid', `byte ${i}`);
    }
  });

  it('a changed attribute byte elsewhere makes it invalid', () => {
    const t = request();
    t[t.length - 1] = t[t.length - 1]! ^ 0x80;
    assert.equal(verifyMessageAuthenticator(t, 'sharedsecret'), 'invalid');
  });

  it('detects a wrong secret', () => {
    assert.equal(verifyMessageAuthenticator(request(), 'othersecret'), 'invalid');
  });

  it('reports absent when there is none', () => {
    assert.equal(verifyMessageAuthenticator(RFC2865_REQUEST, SECRET), 'absent');
  });

  it('respects a caller-placed slot (like radclient "Message-Authenticator = 0x00") and "last"', () => {
    const slot: RadiusAttribute = { type: AttributeType.MessageAuthenticator, value: new Uint8Array(16) };
    const a = encodeRequest(
      { code: RadiusCode.AccessRequest, identifier: 1, attributes: [attr.text('User-Name', 'u'), slot] },
      'sharedsecret',
    );
    assert.equal(a[20 + 3], AttributeType.MessageAuthenticator);
    assert.equal(verifyMessageAuthenticator(a, 'sharedsecret'), 'valid');
    const b = encodeRequest(
      { code: RadiusCode.AccessRequest, identifier: 1, attributes: [attr.text('User-Name', 'u')], messageAuthenticator: 'last' },
      'sharedsecret',
    );
    assert.equal(b[b.length - 18], AttributeType.MessageAuthenticator);
    assert.equal(verifyMessageAuthenticator(b, 'sharedsecret'), 'valid');
  });

  it('in responses is first, is checked against the request authenticator, and drops a handler-supplied MA', () => {
    const req = decodeOk(request()).packet;
    const bogus: RadiusAttribute = { type: AttributeType.MessageAuthenticator, value: new Uint8Array(16).fill(9) };
    const reply = encodeResponse(
      { code: RadiusCode.AccessReject, attributes: [attr.text('Reply-Message', 'no'), bogus] },
      req,
      'sharedsecret',
    );
    const decoded = decodeOk(reply).packet;
    assert.deepEqual(
      decoded.attributes.map((a) => a.type),
      [AttributeType.MessageAuthenticator, AttributeType.ReplyMessage],
    );
    assert.equal(verifyMessageAuthenticator(reply, 'sharedsecret', req.authenticator), 'valid');
    assert.equal(verifyMessageAuthenticator(reply, 'sharedsecret'), 'invalid', 'without the request authenticator it cannot match');
    assert.equal(verifyMessageAuthenticator(reply, 'wrong', req.authenticator), 'invalid');
    assert.equal(verifyResponseAuthenticator(reply, req.authenticator, 'sharedsecret'), true);
  });
});

describe('decode errors (typed, never a throw, never a partial packet)', () => {
  const base = decodeOk(RFC2865_REQUEST).raw;
  const withLength = (bytes: Uint8Array, len: number): Buffer => {
    const b = Buffer.from(bytes);
    b.writeUInt16BE(len, 2);
    return b;
  };
  const cases: Array<[string, Uint8Array, string]> = [
    ['empty datagram', new Uint8Array(0), 'RADIUS_TOO_SHORT'],
    ['19 octets', base.subarray(0, 19), 'RADIUS_TOO_SHORT'],
    ['code 0', Buffer.concat([Buffer.from([0]), base.subarray(1)]), 'RADIUS_UNKNOWN_CODE'],
    ['code 99', Buffer.concat([Buffer.from([99]), base.subarray(1)]), 'RADIUS_UNKNOWN_CODE'],
    ['Length 19', withLength(base, 19), 'RADIUS_BAD_LENGTH'],
    ['Length 0', withLength(base, 0), 'RADIUS_BAD_LENGTH'],
    ['Length 4097', withLength(Buffer.concat([base, Buffer.alloc(5000)]), 4097), 'RADIUS_BAD_LENGTH'],
    ['Length beyond datagram', withLength(base, base.length + 1), 'RADIUS_LENGTH_EXCEEDS_DATAGRAM'],
    ['attribute length 0', Buffer.concat([withLength(base, base.length + 2), Buffer.from([18, 0])]), 'RADIUS_BAD_ATTRIBUTE_LENGTH'],
    ['attribute length 1', Buffer.concat([withLength(base, base.length + 2), Buffer.from([18, 1])]), 'RADIUS_BAD_ATTRIBUTE_LENGTH'],
    ['attribute overflows Length', Buffer.concat([withLength(base, base.length + 3), Buffer.from([18, 5, 65])]), 'RADIUS_ATTRIBUTE_OVERFLOW'],
    ['lone trailing octet', Buffer.concat([withLength(base, base.length + 1), Buffer.from([18])]), 'RADIUS_ATTRIBUTE_OVERFLOW'],
    [
      'MA of 4 octets',
      Buffer.concat([withLength(base, base.length + 6), Buffer.from([80, 6, 1, 2, 3, 4])]),
      'RADIUS_BAD_MESSAGE_AUTHENTICATOR_LENGTH',
    ],
    [
      'two MAs',
      Buffer.concat([withLength(base, base.length + 36), Buffer.from([80, 18]), Buffer.alloc(16), Buffer.from([80, 18]), Buffer.alloc(16)]),
      'RADIUS_MULTIPLE_MESSAGE_AUTHENTICATORS',
    ],
  ];
  for (const [name, bytes, code] of cases) {
    it(`${name} → ${code}`, () => {
      const r = decodePacket(bytes);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.code, code);
        assert.equal(r.error.name, 'RadiusDecodeError');
      }
    });
  }

  it('octets past Length are ignored (RFC 2865 §3 padding)', () => {
    const r = decodeOk(Buffer.concat([RFC2865_REQUEST, Buffer.from('trailing junk')]));
    assert.deepEqual(Buffer.from(r.raw), RFC2865_REQUEST);
    assert.equal(getText(r.packet, 'User-Name'), 'nemo');
  });

  it('accepts exactly 4096 octets', () => {
    const attrs = Array.from({ length: 15 }, () => attr.octets('Class', new Uint8Array(253)));
    attrs.push(attr.octets('Class', new Uint8Array(4096 - 20 - 15 * 255 - 2)));
    const bytes = encodeRequest({ code: RadiusCode.AccessRequest, identifier: 1, attributes: attrs, messageAuthenticator: 'none' }, 's');
    assert.equal(bytes.length, RADIUS_MAX_LENGTH);
    assert.equal(decodePacket(bytes).ok, true);
  });
});

describe('encoding errors', () => {
  it('refuses a packet over 4096 octets and a value over 253', () => {
    const attrs = Array.from({ length: 17 }, () => attr.octets('Class', new Uint8Array(253)));
    assert.throws(() => encodeRequest({ code: 1, identifier: 1, attributes: attrs }, 's'), { code: 'RADIUS_PACKET_TOO_LONG' });
    assert.throws(() => attr.octets('Class', new Uint8Array(254)), { code: 'RADIUS_ATTRIBUTE_TOO_LONG' });
    assert.throws(() => encodeRequest({ code: 1, identifier: 1, attributes: [{ type: 25, value: new Uint8Array(254) }] }, 's'), {
      code: 'RADIUS_ATTRIBUTE_TOO_LONG',
    });
    assert.throws(() => encodeRequest({ code: 1, identifier: 256 }, 's'), { code: 'RADIUS_ENCODE_ERROR' });
  });
});

describe('Accounting-Request authenticator (RFC 2866 §3)', () => {
  it('is computed on encode and verified', () => {
    const bytes = encodeRequest(
      { code: RadiusCode.AccountingRequest, identifier: 3, attributes: [attr.integer('Acct-Status-Type', 1)], messageAuthenticator: 'none' },
      's3cret',
    );
    assert.equal(verifyAccountingRequestAuthenticator(bytes, 's3cret'), true);
    assert.equal(verifyAccountingRequestAuthenticator(bytes, 'other'), false);
  });
});

// ---------------------------------------------------------------------------
// Property tests

const attributeArb: fc.Arbitrary<RadiusAttribute> = fc.record({
  // Any type but Message-Authenticator (its value is computed) and User-Password (hidden separately).
  type: fc.integer({ min: 1, max: 255 }).filter((t) => t !== 80 && t !== 2),
  value: fc.uint8Array({ minLength: 0, maxLength: 253 }),
});

const requestArb = fc.record({
  identifier: fc.integer({ min: 0, max: 255 }),
  authenticator: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  attributes: fc.array(attributeArb, { maxLength: 12 }),
  placement: fc.constantFrom('first' as const, 'last' as const, 'none' as const),
  secret: fc.string({ minLength: 1, maxLength: 40 }),
});

describe('property: encode → decode round-trips', () => {
  it('requests keep code, identifier, authenticator and attributes in order', () => {
    fc.assert(
      fc.property(requestArb, ({ identifier, authenticator, attributes, placement, secret }) => {
        const bytes = encodeRequest(
          { code: RadiusCode.AccessRequest, identifier, authenticator, attributes, messageAuthenticator: placement },
          secret,
        );
        const { packet } = decodeOk(bytes);
        assert.equal(packet.identifier, identifier);
        assert.deepEqual(Buffer.from(packet.authenticator), Buffer.from(authenticator));
        const withoutMa = packet.attributes.filter((a) => a.type !== 80);
        assert.deepEqual(
          withoutMa.map((a) => [a.type, Buffer.from(a.value).toString('hex')]),
          attributes.map((a) => [a.type, Buffer.from(a.value).toString('hex')]),
        );
        assert.equal(verifyMessageAuthenticator(bytes, secret), placement === 'none' ? 'absent' : 'valid');
      }),
      { numRuns: 300 },
    );
  });

  it('responses verify and keep their attributes after the leading MA', () => {
    fc.assert(
      fc.property(
        requestArb,
        fc.constantFrom(RadiusCode.AccessAccept, RadiusCode.AccessReject, RadiusCode.AccessChallenge),
        ({ identifier, authenticator, attributes, secret }, code) => {
          const bytes = encodeResponse({ code, attributes }, { identifier, authenticator }, secret);
          const { packet } = decodeOk(bytes);
          assert.equal(packet.code, code);
          assert.equal(packet.attributes[0]!.type, 80);
          assert.deepEqual(
            packet.attributes.slice(1).map((a) => Buffer.from(a.value).toString('hex')),
            attributes.map((a) => Buffer.from(a.value).toString('hex')),
          );
          assert.equal(verifyResponseAuthenticator(bytes, authenticator, secret), true);
          assert.equal(verifyMessageAuthenticator(bytes, secret, authenticator), 'valid');
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('property: arbitrary bytes', () => {
  it('never make decodePacket throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4200 }), (bytes) => {
        const r = decodePacket(bytes);
        assert.equal(typeof r.ok, 'boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated valid packets decode fully or fail with a code, never partially', () => {
    const valid = encodeRequest(
      {
        code: RadiusCode.AccessRequest,
        identifier: 9,
        attributes: [attr.text('User-Name', 'bob'), attr.octets('Proxy-State', 'ps1'), attr.integer('NAS-Port', 1)],
        userPassword: 'pw',
      },
      'sec',
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: valid.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: -valid.length, max: 40 }),
        (mutations, resize) => {
          const b = Buffer.alloc(Math.max(0, valid.length + resize));
          valid.copy(b);
          for (const m of mutations) if (m.at < b.length) b[m.at] = m.byte;
          const r = decodePacket(b);
          if (!r.ok) {
            assert.match(r.error.code, /^RADIUS_/);
            return;
          }
          // A success must account for exactly Length octets of attributes.
          const length = b.readUInt16BE(2);
          assert.ok(length >= 20 && length <= b.length);
          const total = r.packet.attributes.reduce((n, a) => n + 2 + a.value.length, 20);
          assert.equal(total, length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never yield a packet when Length disagrees with the datagram', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 600 }), fc.integer({ min: 0, max: 65535 }), (bytes, len) => {
        const b = Buffer.from(bytes);
        b[0] = 1;
        b.writeUInt16BE(len, 2);
        const r = decodePacket(b);
        if (len < 20 || len > 4096 || len > b.length) assert.equal(r.ok, false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decodePacketView', () => {
  it('answers as decodePacket does for any bytes, with views of the input instead of a copy', () => {
    const valid = encodeRequest({ code: RadiusCode.AccessRequest, identifier: 3, attributes: [attr.text('User-Name', 'bob')], userPassword: 'pw' }, 'sec');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 40 }), fc.boolean(), (noise, pad, useValid) => {
        const b = Buffer.concat([useValid ? valid : Buffer.from(noise), Buffer.alloc(pad)]);
        const copied = decodePacket(b);
        const viewed = decodePacketView(b);
        assert.equal(viewed.ok, copied.ok);
        if (!viewed.ok || !copied.ok) {
          if (!viewed.ok && !copied.ok) assert.equal(viewed.error.code, copied.error.code);
          return;
        }
        assert.deepEqual(viewed.packet, copied.packet);
        assert.deepEqual(Buffer.from(viewed.raw), Buffer.from(copied.raw));
        assert.equal(viewed.raw.buffer, b.buffer, 'raw is a view of the input');
        assert.notEqual(copied.raw.buffer, b.buffer, 'decodePacket copies');
      }),
      { numRuns: 500 },
    );
  });
});

describe('hmacMd5', () => {
  it('matches node:crypto HMAC-MD5 for short, block-sized and long keys', () => {
    for (const len of [0, 1, 16, 63, 64, 65, 200]) {
      const key = Buffer.alloc(len, 0xab);
      const data = Buffer.from(`payload-${len}`);
      assert.deepEqual(hmacMd5(key, data), createHmac('md5', key).update(data).digest());
    }
  });
});
