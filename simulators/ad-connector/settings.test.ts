import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCodedError } from '../../agent/src/errors.ts';
import { type RadiusSettings, redactSettings, validateRadiusSettings } from './settings.ts';

const valid: RadiusSettings = {
  RadiusServers: ['127.0.0.1'],
  RadiusPort: 1812,
  RadiusTimeout: 5,
  RadiusRetries: 4,
  SharedSecret: 'sharedsecret1',
  AuthenticationProtocol: 'PAP',
  DisplayLabel: 'Okta MFA',
  UseSameUsername: true,
};

const accepts = (patch: Record<string, unknown>): void => {
  assert.doesNotThrow(() => validateRadiusSettings({ ...valid, ...patch }), JSON.stringify(Object.keys(patch)));
};

/** Refused with InvalidParameterException naming `field` (AWS's camelCase path). */
const refuses = (patch: Record<string, unknown>, field: string): void => {
  assert.throws(
    () => validateRadiusSettings({ ...valid, ...patch }),
    (e: unknown) =>
      isCodedError(e, 'InvalidParameterException') && e.message.includes(`'radiusSettings.${field}`) && e.message.startsWith('1 validation error detected'),
    `${field} should be refused`,
  );
};

test('RadiusPort: 1025–65535, integers only', () => {
  refuses({ RadiusPort: 1024 }, 'radiusPort');
  accepts({ RadiusPort: 1025 });
  accepts({ RadiusPort: 65535 });
  refuses({ RadiusPort: 65536 }, 'radiusPort');
  refuses({ RadiusPort: 1812.5 }, 'radiusPort');
  refuses({ RadiusPort: '1812' }, 'radiusPort');
  refuses({ RadiusPort: undefined }, 'radiusPort');
});

test('RadiusTimeout: 1–50 seconds', () => {
  refuses({ RadiusTimeout: 0 }, 'radiusTimeout');
  accepts({ RadiusTimeout: 1 });
  accepts({ RadiusTimeout: 50 });
  refuses({ RadiusTimeout: 51 }, 'radiusTimeout');
});

test('RadiusRetries: 0–10', () => {
  refuses({ RadiusRetries: -1 }, 'radiusRetries');
  accepts({ RadiusRetries: 0 });
  accepts({ RadiusRetries: 10 });
  refuses({ RadiusRetries: 11 }, 'radiusRetries');
});

test('RadiusServers: at least one, each 1–256 characters, IP or host name', () => {
  refuses({ RadiusServers: [] }, 'radiusServers');
  refuses({ RadiusServers: undefined }, 'radiusServers');
  refuses({ RadiusServers: [''] }, 'radiusServers.1.member');
  accepts({ RadiusServers: ['a'] });
  // 256 characters: four 63-char labels + three dots = 255, plus a trailing dot = 256.
  const label = 'a'.repeat(63);
  const name256 = `${label}.${label}.${label}.${label}.`;
  assert.equal(name256.length, 256);
  accepts({ RadiusServers: [name256] });
  refuses({ RadiusServers: [`${name256}a`] }, 'radiusServers.1.member');
  accepts({ RadiusServers: ['10.0.1.5', 'radius.example.com', '::1'] });
  refuses({ RadiusServers: ['10.0.1.5', 'not a host'] }, 'radiusServers.2.member');
});

test('SharedSecret: 8–512 characters of letters, digits, ASCII punctuation and space', () => {
  refuses({ SharedSecret: 'a'.repeat(7) }, 'sharedSecret');
  accepts({ SharedSecret: 'a'.repeat(8) });
  accepts({ SharedSecret: 'a'.repeat(512) });
  refuses({ SharedSecret: 'a'.repeat(513) }, 'sharedSecret');
  accepts({ SharedSecret: 'Ab1 !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~' });
  accepts({ SharedSecret: 'geheimnisÄÖÜß٣' }); // \p{LD} includes non-ASCII letters and digits
  refuses({ SharedSecret: 'tab\there1' }, 'sharedSecret');
  refuses({ SharedSecret: 'newline\nsecret' }, 'sharedSecret');
  refuses({ SharedSecret: 'emoji🙂secret' }, 'sharedSecret');
  refuses({ SharedSecret: 'secret£sign' }, 'sharedSecret'); // £ is Unicode punctuation-ish, not POSIX \p{Punct}
  refuses({ SharedSecret: undefined }, 'sharedSecret');
});

test('the secret is never echoed in a validation message', () => {
  try {
    validateRadiusSettings({ ...valid, SharedSecret: 'short' });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(isCodedError(e, 'InvalidParameterException'));
    assert.ok(!e.message.includes('short'), e.message);
  }
});

test('AuthenticationProtocol: PAP | CHAP | MS-CHAPv1 | MS-CHAPv2, exact spelling', () => {
  for (const p of ['PAP', 'CHAP', 'MS-CHAPv1', 'MS-CHAPv2']) accepts({ AuthenticationProtocol: p });
  refuses({ AuthenticationProtocol: 'pap' }, 'authenticationProtocol');
  refuses({ AuthenticationProtocol: 'EAP' }, 'authenticationProtocol');
  refuses({ AuthenticationProtocol: undefined }, 'authenticationProtocol');
});

test('DisplayLabel: optional, 1–64 characters', () => {
  accepts({ DisplayLabel: undefined });
  refuses({ DisplayLabel: '' }, 'displayLabel');
  accepts({ DisplayLabel: 'x' });
  accepts({ DisplayLabel: 'x'.repeat(64) });
  refuses({ DisplayLabel: 'x'.repeat(65) }, 'displayLabel');
});

test('UseSameUsername: optional boolean', () => {
  accepts({ UseSameUsername: undefined });
  accepts({ UseSameUsername: false });
  refuses({ UseSameUsername: 'yes' }, 'useSameUsername');
});

test('several problems are reported together and unknown members are refused', () => {
  assert.throws(
    () => validateRadiusSettings({ ...valid, RadiusPort: 80, RadiusTimeout: 70 }),
    (e: unknown) => isCodedError(e, 'InvalidParameterException') && e.message.startsWith('2 validation errors detected'),
  );
  assert.throws(() => validateRadiusSettings({ ...valid, RadiusPorts: 1812 }), /Unknown parameter in radiusSettings: 'RadiusPorts'/);
  assert.throws(() => validateRadiusSettings(null), (e: unknown) => isCodedError(e, 'InvalidParameterException'));
});

test('a valid input comes back as a copy; redaction hides the secret', () => {
  const out = validateRadiusSettings(valid);
  assert.deepEqual(out, valid);
  assert.notEqual(out.RadiusServers, valid.RadiusServers);
  assert.equal(redactSettings(out).SharedSecret, '********');
});

// API_RadiusSettings / API_EnableRadius: "RadiusServersIpv6 — The IPv6 addresses of the RADIUS server
// endpoints or RADIUS server load balancer", each 1–256 characters; both server lists are optional in AWS's type.
test('RadiusServersIpv6: IPv6 addresses only; servers may come from either list, but from one at least', () => {
  accepts({ RadiusServersIpv6: ['::1', '2001:db8::10'] });
  accepts({ RadiusServers: undefined, RadiusServersIpv6: ['::1'] });
  accepts({ RadiusServers: [], RadiusServersIpv6: ['::1'] });
  refuses({ RadiusServersIpv6: ['10.0.1.5'] }, 'radiusServersIpv6.1.member');
  refuses({ RadiusServersIpv6: ['radius.example.com'] }, 'radiusServersIpv6.1.member');
  refuses({ RadiusServersIpv6: [''] }, 'radiusServersIpv6.1.member');
  refuses({ RadiusServersIpv6: '::1' }, 'radiusServersIpv6');
  refuses({ RadiusServers: [], RadiusServersIpv6: [] }, 'radiusServers');
  const out = validateRadiusSettings({ ...valid, RadiusServersIpv6: ['::1'] });
  assert.deepEqual(out.RadiusServersIpv6, ['::1']);
  assert.deepEqual(redactSettings(out).RadiusServersIpv6, ['::1']);
});
