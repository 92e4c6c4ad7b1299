import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodePacket, encodeRequest, verifyDecodedMessageAuthenticator, verifyMessageAuthenticator } from './codec.ts';
import { RadiusCode } from './codes.ts';
import { hmacMd5, hmacMd5ZeroedInto, md5, md5Into } from './crypto.ts';
import { attr } from './packet.ts';

const SECRET = 'decoded-ma-secret';

function decoded(bytes: Uint8Array): Extract<ReturnType<typeof decodePacket>, { ok: true }> {
  const d = decodePacket(bytes);
  assert.ok(d.ok);
  return d;
}

describe('verifyDecodedMessageAuthenticator', () => {
  it('answers as verifyMessageAuthenticator does (valid, absent, tampered, wrong secret) and leaves the packet as it was', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.constantFrom('first', 'last', 'none') as fc.Arbitrary<'first' | 'last' | 'none'>,
        fc.option(fc.integer({ min: 20, max: 200 }), { nil: undefined }),
        fc.constantFrom(SECRET, 'another-secret'),
        (identifier, userName, placement, flip, secret) => {
          const bytes = encodeRequest({ code: RadiusCode.AccessRequest, identifier, attributes: [attr.text('User-Name', userName)], messageAuthenticator: placement }, SECRET);
          if (flip !== undefined && flip < bytes.length) bytes[flip] = bytes[flip]! ^ 0x01;
          const d = decodePacket(bytes);
          if (!d.ok) return;
          const before = Buffer.from(d.raw);
          assert.equal(verifyDecodedMessageAuthenticator(d, secret), verifyMessageAuthenticator(bytes, secret));
          assert.deepEqual(Buffer.from(d.raw), before);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is valid for a Message-Authenticator made with createHmac, invalid with one bit off', () => {
    const bytes = encodeRequest({ code: RadiusCode.AccessRequest, identifier: 9, attributes: [attr.text('User-Name', 'alice')] }, SECRET);
    assert.equal(verifyDecodedMessageAuthenticator(decoded(bytes), SECRET), 'valid');
    assert.equal(verifyDecodedMessageAuthenticator(decoded(bytes), Buffer.from(SECRET)), 'valid');
    const zeroed = Buffer.from(bytes);
    zeroed.fill(0, 22, 38);
    assert.deepEqual(Buffer.from(bytes.subarray(22, 38)), createHmac('md5', SECRET).update(zeroed).digest());
    bytes[37] = bytes[37]! ^ 0x80;
    assert.equal(verifyDecodedMessageAuthenticator(decoded(bytes), SECRET), 'invalid');
  });
});

describe('crypto on reused scratch', () => {
  it('hmacMd5 and md5 agree with node:crypto for any key and data, one call after another', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.uint8Array({ maxLength: 5000 }), fc.uint8Array({ maxLength: 300 }), (key, data, more) => {
        assert.deepEqual(hmacMd5(key, data), createHmac('md5', key).update(data).digest());
        assert.deepEqual(md5(data), nodeMd5(data));
        assert.deepEqual(md5(data, more), nodeMd5(Buffer.concat([data, more])));
      }),
      { numRuns: 200 },
    );
  });

  it('hmacMd5ZeroedInto is the HMAC with 16 octets zeroed, leaving the data as it was; md5Into is MD5 of both parts; both write only their 16 octets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.uint8Array({ minLength: 16, maxLength: 5000 }), fc.nat(), fc.uint8Array({ maxLength: 300 }), (key, data, at, more) => {
        const zeroAt = at % (data.length - 15);
        const before = Buffer.from(data);
        const target = Buffer.alloc(40, 0xaa);
        hmacMd5ZeroedInto(key, data, zeroAt, target, 7);
        const zeroed = Buffer.from(data);
        zeroed.fill(0, zeroAt, zeroAt + 16);
        assert.deepEqual(target.subarray(7, 23), createHmac('md5', key).update(zeroed).digest());
        assert.deepEqual(Buffer.from(data), before);
        assert.ok(target.subarray(0, 7).every((b) => b === 0xaa) && target.subarray(23).every((b) => b === 0xaa));
        const t2 = Buffer.alloc(40, 0x55);
        md5Into(data, more, t2, 20);
        assert.deepEqual(t2.subarray(20, 36), nodeMd5(Buffer.concat([data, more])));
        assert.ok(t2.subarray(0, 20).every((b) => b === 0x55) && t2.subarray(36).every((b) => b === 0x55));
      }),
      { numRuns: 200 },
    );
  });
});

function nodeMd5(data: Uint8Array): Buffer {
  return createHash('md5').update(data).digest();
}
