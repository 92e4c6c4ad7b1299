/**
 * Our codec against an independent implementation: the npm `radius` package
 * (1.1.4), which the AD Connector simulator uses as the client side. If both
 * agree in both directions, a symmetric bug in ours cannot hide.
 *
 * Its known flaws, and how these tests step around them:
 * - it compares authenticators and Message-Authenticators as UTF-8 strings, so
 *   its "valid" proves little: every security verdict here comes from our own
 *   constant-time verifiers; its verdicts are only checked for agreement;
 * - it appends Message-Authenticator last (we put it first; both must verify);
 * - it cannot encode an empty password or round-trip 129+ octets (not exercised
 *   through it; user-password.test.ts covers those on our side);
 * - it has no Microsoft dictionary and writes an unknown VSA name as sub-type 0,
 *   so VSAs are given to it by number;
 * - it keeps the secret and authenticator of the last encode/decode on the module
 *   object, so each call gets all of its inputs explicitly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RadiusCode } from './codes.ts';
import {
  decodePacket,
  encodeRequest,
  encodeResponse,
  verifyMessageAuthenticator,
  verifyResponseAuthenticator,
} from './codec.ts';
import { AttributeType, VendorId } from './dictionary.ts';
import { attr, getAll, getIp, getText, getVendorAttributes } from './packet.ts';
import { unhideUserPassword } from './user-password.ts';
import { radius } from '../../../simulators/ad-connector/radius-package.ts';


const SECRET = 'interop-secret-1';

function decodeOk(bytes: Uint8Array) {
  const r = decodePacket(bytes);
  if (!r.ok) throw r.error;
  return r.packet;
}

describe('our encoder → radius package decoder', () => {
  it('decodes our Access-Request (MA first) with the password and attributes intact', () => {
    const bytes = encodeRequest(
      {
        code: RadiusCode.AccessRequest,
        identifier: 42,
        attributes: [
          attr.text('User-Name', 'alice@example.com'),
          attr.ip('NAS-IP-Address', '192.0.2.10'),
          attr.text('Calling-Station-Id', '203.0.113.5'),
          attr.octets('Proxy-State', 'p1'),
        ],
        userPassword: '123456',
      },
      SECRET,
    );
    // Its decoder verifies the MA on requests and throws on mismatch; not throwing is agreement.
    const theirs = radius.decode({ packet: bytes, secret: SECRET });
    assert.equal(theirs.code, 'Access-Request');
    assert.equal(theirs.identifier, 42);
    assert.equal(theirs.attributes['User-Name'], 'alice@example.com');
    assert.equal(theirs.attributes['User-Password'], '123456');
    assert.equal(theirs.attributes['NAS-IP-Address'], '192.0.2.10');
    assert.equal(theirs.raw_attributes[0]![0], AttributeType.MessageAuthenticator);
  });

  it('its decoder also notices a wrong secret through our MA', () => {
    const bytes = encodeRequest({ code: RadiusCode.AccessRequest, identifier: 1, attributes: [attr.text('User-Name', 'a')] }, SECRET);
    assert.throws(() => radius.decode({ packet: bytes, secret: 'not-the-secret' }), /Message-Authenticator mismatch/);
  });

  it('accepts our reply: Response Authenticator, MA first, Proxy-State and Reply-Message', () => {
    const request = radius.encode({
      code: 'Access-Request',
      identifier: 9,
      secret: SECRET,
      attributes: [
        ['User-Name', 'bob'],
        ['User-Password', 'push'],
        ['Proxy-State', Buffer.from('ps-a')],
      ],
      add_message_authenticator: true,
    });
    const ours = decodeOk(request);
    const reply = encodeResponse(
      { code: RadiusCode.AccessReject, attributes: [attr.text('Reply-Message', 'Push rejected'), ...ours.attributes.filter((a) => a.type === 33)] },
      ours,
      SECRET,
    );
    assert.equal(radius.verify_response({ request, response: Buffer.from(reply), secret: SECRET }), true);
    const theirs = radius.decode({ packet: Buffer.from(reply), secret: SECRET });
    assert.equal(theirs.code, 'Access-Reject');
    assert.equal(theirs.attributes['Reply-Message'], 'Push rejected');
    assert.equal(theirs.raw_attributes[0]![0], AttributeType.MessageAuthenticator);
    assert.equal(radius.verify_response({ request, response: Buffer.from(reply), secret: 'other-secret' }), false);
  });
});

describe('radius package encoder → our decoder', () => {
  it('decodes its Access-Request (MA last) and recovers the password', () => {
    const bytes = radius.encode({
      code: 'Access-Request',
      identifier: 200,
      secret: SECRET,
      attributes: [
        ['User-Name', 'carol'],
        ['User-Password', 'correct horse battery staple'],
        ['NAS-IP-Address', '198.51.100.7'],
        ['NAS-Port', 7],
        // Numeric sub-types: the package has no Microsoft dictionary and would silently write sub-type 0 for a name.
        ['Vendor-Specific', 311, [[11, Buffer.alloc(16, 0x11)]]],
        ['Vendor-Specific', 9, [[1, Buffer.from('shell:priv-lvl=15')]]],
      ],
      add_message_authenticator: true,
    });
    const packet = decodeOk(bytes);
    assert.equal(packet.identifier, 200);
    assert.equal(getText(packet, 'User-Name'), 'carol');
    assert.equal(getIp(packet, 'NAS-IP-Address'), '198.51.100.7');
    assert.equal(packet.attributes.at(-1)!.type, AttributeType.MessageAuthenticator);
    assert.equal(verifyMessageAuthenticator(bytes, SECRET), 'valid');
    assert.equal(verifyMessageAuthenticator(bytes, 'wrong'), 'invalid');
    const hidden = getAll(packet, AttributeType.UserPassword)[0]!;
    assert.equal(unhideUserPassword(hidden, SECRET, packet.authenticator).toString(), 'correct horse battery staple');
    assert.deepEqual(Buffer.from(getVendorAttributes(packet, VendorId.Microsoft, 11)[0]!.value), Buffer.alloc(16, 0x11));
    assert.equal(Buffer.from(getVendorAttributes(packet, 9)[0]!.value).toString(), 'shell:priv-lvl=15');
  });

  it('verifies its replies (encode_response copies Proxy-State, MA last)', () => {
    const ourRequest = encodeRequest(
      {
        code: RadiusCode.AccessRequest,
        identifier: 77,
        attributes: [attr.text('User-Name', 'dave'), attr.octets('Proxy-State', 'one'), attr.octets('Proxy-State', 'two')],
        userPassword: '654321',
      },
      SECRET,
    );
    const theirRequest = radius.decode({ packet: ourRequest, secret: SECRET });
    const reply = radius.encode_response({
      packet: theirRequest,
      code: 'Access-Accept',
      secret: SECRET,
      attributes: [['Reply-Message', 'Welcome']],
    });
    const request = decodeOk(ourRequest);
    assert.equal(verifyResponseAuthenticator(reply, request.authenticator, SECRET), true);
    assert.equal(verifyMessageAuthenticator(reply, SECRET, request.authenticator), 'valid');
    const packet = decodeOk(reply);
    assert.equal(packet.code, RadiusCode.AccessAccept);
    assert.equal(getText(packet, 'Reply-Message'), 'Welcome');
    assert.deepEqual(
      getAll(packet, 'Proxy-State').map((v) => Buffer.from(v).toString()),
      ['one', 'two'],
    );
  });
});
