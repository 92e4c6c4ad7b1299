import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authProtocolOf, chapPasswordValue, verifyChapPassword } from './chap.ts';
import { attr } from './packet.ts';

describe('CHAP', () => {
  it('verifies a response built from the Request Authenticator and from CHAP-Challenge', () => {
    const authenticator = Buffer.alloc(16, 7);
    const pkt = { authenticator, attributes: [attr.octets('CHAP-Password', chapPasswordValue(22, 'arctangent', authenticator))] };
    assert.equal(verifyChapPassword(pkt, 'arctangent'), true);
    assert.equal(verifyChapPassword(pkt, 'wrong'), false);

    const challenge = Buffer.from('0123456789abcdef0123', 'hex');
    const withChallenge = {
      authenticator,
      attributes: [attr.octets('CHAP-Password', chapPasswordValue(5, 'pw', challenge)), attr.octets('CHAP-Challenge', challenge)],
    };
    assert.equal(verifyChapPassword(withChallenge, 'pw'), true);
    assert.equal(verifyChapPassword({ authenticator, attributes: [] }, 'pw'), false);
    assert.equal(verifyChapPassword({ authenticator, attributes: [attr.octets('CHAP-Password', new Uint8Array(5))] }, 'pw'), false);
  });
});

describe('authProtocolOf', () => {
  const ms = (type: number) => attr.microsoft(type, new Uint8Array(50));
  it('tells the protocols apart', () => {
    assert.equal(authProtocolOf({ attributes: [attr.text('User-Name', 'u'), attr.octets('User-Password', new Uint8Array(16))] }), 'pap');
    assert.equal(authProtocolOf({ attributes: [attr.octets('CHAP-Password', new Uint8Array(17))] }), 'chap');
    assert.equal(authProtocolOf({ attributes: [ms(11), ms(1)] }), 'mschapv1');
    assert.equal(authProtocolOf({ attributes: [ms(11), ms(25)] }), 'mschapv2');
    assert.equal(authProtocolOf({ attributes: [attr.octets('EAP-Message', new Uint8Array(5))] }), 'eap');
    assert.equal(authProtocolOf({ attributes: [attr.text('User-Name', 'u')] }), 'none');
    // A VSA of another vendor with the same sub-type is not MS-CHAP.
    assert.equal(authProtocolOf({ attributes: [attr.vendor(9, 25, new Uint8Array(4))] }), 'none');
  });
});
