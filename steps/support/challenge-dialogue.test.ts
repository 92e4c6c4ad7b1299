// The challenge-capable client of the password-first scenarios: it reads the
// agent's menu as a user would and trusts only replies that answer its request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RadiusCode } from '../../agent/src/radius/codes.ts';
import { decodePacket, encodeResponse } from '../../agent/src/radius/codec.ts';
import { attr, getOctets, getText } from '../../agent/src/radius/packet.ts';
import { answerRequest, menuNumber, parseMenu, readReply } from './challenge-dialogue.ts';

const MENU =
  'Choose a factor: 1 Okta Verify push, 2 Okta Verify code, 3 SMS code (+1 XXX-XXX-1234), 4 email code (a***@example.com). Reply with its number, or enter a code.';

test('the menu of the agent README reads as four numbered factors', () => {
  assert.deepEqual(parseMenu(MENU), [
    { number: 1, label: 'Okta Verify push' },
    { number: 2, label: 'Okta Verify code' },
    { number: 3, label: 'SMS code (+1 XXX-XXX-1234)' },
    { number: 4, label: 'email code (a***@example.com)' },
  ]);
  assert.equal(menuNumber(MENU, 'Okta Verify code'), 2);
  assert.equal(menuNumber(MENU, 'sms code'), 3);
  assert.equal(menuNumber(MENU, 'Email'), 4);
  assert.throws(() => menuNumber(MENU, 'Duo passcode'), /"Duo passcode" is not in the menu/);
  assert.deepEqual(parseMenu('Enter your Okta Verify code.'), []);
});

test('an answer echoes the State and hides the password', () => {
  const state = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const bytes = answerRequest({ userName: 'alice', answer: '2', state, secret: 's3cret' });
  const decoded = decodePacket(bytes.bytes);
  assert.ok(decoded.ok);
  assert.equal(decoded.packet.attributes[0]?.type, 80, 'Message-Authenticator first');
  assert.equal(getText(decoded.packet, 'User-Name'), 'alice');
  assert.deepEqual(Buffer.from(getOctets(decoded.packet, 'State') ?? []), state);
  assert.ok(!bytes.bytes.includes(Buffer.from('2\0')), 'User-Password is hidden');
});

test('a challenge is read with its text and State; a reply that does not answer the request is refused', () => {
  const request = answerRequest({ userName: 'alice', answer: 'Correct-Horse-1!', secret: 's3cret' });
  const req = decodePacket(request.bytes);
  assert.ok(req.ok);
  const state = Buffer.alloc(16, 7);
  const challenge = encodeResponse(
    { code: RadiusCode.AccessChallenge, attributes: [...attr.texts('Reply-Message', MENU), attr.octets('State', state)] },
    req.packet,
    's3cret',
  );
  const read = readReply(challenge, request, 's3cret');
  assert.equal(read.kind, 'challenge');
  assert.equal(read.message, MENU);
  assert.deepEqual(read.state, state);
  assert.throws(() => readReply(challenge, request, 'another-secret'), /Response Authenticator/);
  const other = answerRequest({ userName: 'alice', answer: 'x', secret: 's3cret' });
  assert.throws(() => readReply(challenge, other, 's3cret'), /identifier/);
});
