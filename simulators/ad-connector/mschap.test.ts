import assert from 'node:assert/strict';
import { test } from 'node:test';
import { md4 } from './md4.ts';
import { challengeHash, mschapV1NtResponse, mschapV2NtResponse, ntPasswordHash } from './mschap.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('MD4 matches the RFC 1320 test suite', () => {
  const vectors: Array<[string, string]> = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    [
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
      'e33b4ddc9c38f2199c3e7b164fcc0536',
    ],
  ];
  for (const [input, digest] of vectors) {
    assert.equal(md4(Buffer.from(input, 'ascii')).toString('hex'), digest, `MD4("${input}")`);
  }
});

test('MS-CHAPv2 matches the RFC 2759 §9.2 example', () => {
  const authenticatorChallenge = hex('5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28');
  const peerChallenge = hex('21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E');
  assert.deepEqual(challengeHash(peerChallenge, authenticatorChallenge, 'User'), hex('D0 2E 43 86 BC E9 12 26'));
  assert.deepEqual(ntPasswordHash('clientPass'), hex('44 EB BA 8D 53 12 B8 D6 11 47 44 11 F5 69 89 AE'));
  assert.deepEqual(
    mschapV2NtResponse(authenticatorChallenge, peerChallenge, 'User', 'clientPass'),
    hex('82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF'),
  );
});

test('MS-CHAPv1 NT response is ChallengeResponse over the server challenge', () => {
  // RFC 2759's ChallengeResponse vector reused: v1 feeds the 8-byte challenge in directly.
  assert.deepEqual(
    mschapV1NtResponse(hex('D0 2E 43 86 BC E9 12 26'), 'clientPass'),
    hex('82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF'),
  );
});
