/**
 * `node fuzz/seed-corpus.ts` — writes the starting inputs of every fuzz
 * target into fuzz/corpus/<target>/seed-*: real packets as the agent's codec
 * and the AD Connector encode them, the example config and seed files of the
 * repository, the external target's profiles and the Okta request bodies the
 * agent sends. Re-running it rewrites the same files (fixed authenticators and
 * ids), so the corpus stays reviewable.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chapPasswordValue } from '../agent/src/radius/chap.ts';
import { encodeRequest, encodeResponse } from '../agent/src/radius/codec.ts';
import { RadiusCode } from '../agent/src/radius/codes.ts';
import { attr, vendorAttribute } from '../agent/src/radius/packet.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORPUS = join(ROOT, 'fuzz', 'corpus');
const SECRET = 'fuzz-shared-secret-0123';
const AUTH = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

function put(target: string, name: string, data: Buffer | string): void {
  mkdirSync(join(CORPUS, target), { recursive: true });
  writeFileSync(join(CORPUS, target, `seed-${name}`), data);
}

// RADIUS: the requests the agent receives and the replies it sends.
const pap = encodeRequest(
  { code: RadiusCode.AccessRequest, identifier: 1, authenticator: AUTH, attributes: [attr.text('User-Name', 'alice'), attr.ip('NAS-IP-Address', '10.0.1.5')], userPassword: '123456' },
  SECRET,
);
put('radius-codec', 'pap-ma-first', pap);
put(
  'radius-codec',
  'pap-ma-last-proxy-state',
  encodeRequest(
    {
      code: RadiusCode.AccessRequest,
      identifier: 2,
      authenticator: AUTH,
      attributes: [attr.text('User-Name', 'CORP\\bob'), attr.octets('Proxy-State', 'ps-1'), attr.octets('Proxy-State', 'ps-2')],
      userPassword: 'Correct-Horse-Bob-1!,push',
      messageAuthenticator: 'last',
    },
    SECRET,
  ),
);
put('radius-codec', 'pap-no-ma', encodeRequest({ code: RadiusCode.AccessRequest, identifier: 3, authenticator: AUTH, attributes: [attr.text('User-Name', 'carol')], userPassword: 'sms', messageAuthenticator: 'none' }, SECRET));
put(
  'radius-codec',
  'chap',
  encodeRequest(
    {
      code: RadiusCode.AccessRequest,
      identifier: 4,
      authenticator: AUTH,
      attributes: [attr.text('User-Name', 'dave'), attr.octets('CHAP-Password', chapPasswordValue(7, '654321', AUTH))],
    },
    SECRET,
  ),
);
put('radius-codec', 'status-server', encodeRequest({ code: RadiusCode.StatusServer, identifier: 5, authenticator: AUTH }, SECRET));
put('radius-codec', 'accounting', encodeRequest({ code: RadiusCode.AccountingRequest, identifier: 6, attributes: [attr.text('User-Name', 'erin'), attr.integer('Acct-Status-Type', 1)] }, SECRET));
put(
  'radius-codec',
  'vendor-specific',
  encodeRequest(
    { code: RadiusCode.AccessRequest, identifier: 8, authenticator: AUTH, attributes: [attr.text('User-Name', 'gina'), vendorAttribute(311, 11, Buffer.alloc(16, 1))], userPassword: '000000' },
    SECRET,
  ),
);
put(
  'radius-codec',
  'access-challenge',
  encodeResponse({ code: RadiusCode.AccessChallenge, attributes: [attr.text('Reply-Message', 'Choose a factor: 1 push, 2 code'), attr.octets('State', Buffer.alloc(16, 9))] }, { identifier: 1, authenticator: AUTH }, SECRET),
);
put('radius-codec', 'access-reject', encodeResponse({ code: RadiusCode.AccessReject, attributes: [attr.text('Reply-Message', 'Wrong code.')] }, { identifier: 1, authenticator: AUTH }, SECRET));

// Agent config: the example, and the shapes the targets and tests write.
put('agent-config', 'example', readFileSync(join(ROOT, 'agent/examples/config.yaml')));
put(
  'agent-config',
  'process-target',
  `okta:\n  orgUrl: http://127.0.0.1:40123\n  apiToken: \${OKTA_API_TOKEN}\napps:\n  - name: workspaces\n    appId: 0oa1\n    listen: { host: 127.0.0.1, port: 0 }\n    mode: password-first\n    usernameFormat: { suffix: '@corp.example.com', stripDomain: true }\n    clients:\n      - { name: a, address: 127.0.0.2, secret: \${RADIUS_SECRET}, requireMessageAuthenticator: true }\n      - { name: b, address: '::/0', secret: short, requireMessageAuthenticator: false }\n    timeouts: { totalRequestMs: 20000, pushMs: 10000, responseModeOnTimeout: no-response }\nlogging: { level: warn }\nhttp: { host: 0.0.0.0, port: 0 }\nallowInsecure: [short-secret]\n`,
);

// Lab seeds and external profiles: the repository's own.
put('lab-seed', 'workspaces', readFileSync(join(ROOT, 'simulators/lab/examples/workspaces.yaml')));
for (const p of ['example-okta-agent.yaml', 'nothing-listens.yaml']) {
  put('external-profile', p.replace(/\.yaml$/, ''), readFileSync(join(ROOT, 'steps/targets/profiles', p)));
}

// Okta: byte 0 = route (fuzz/targets.ts ROUTES), byte 1 = id mode (0 = the real ids), then the body.
const okta = (route: number, body: string) => Buffer.concat([Buffer.from([route, 0]), Buffer.from(body)]);
put('okta-handlers', 'get-user', okta(0, ''));
put('okta-handlers', 'verify-totp', okta(2, '{"passCode":"123456"}'));
put('okta-handlers', 'verify-push', okta(15, ''));
put('okta-handlers', 'authn', okta(5, '{"username":"fuzz@corp.example.com","password":"Fuzz-Password-1!","options":{"warnBeforePasswordExpired":false}}'));
put('okta-handlers', 'authn-verify', okta(6, '{"stateToken":"00abc","passCode":"123456"}'));
put('okta-handlers', 'create-user', okta(7, '{"profile":{"login":"new@corp.example.com","email":"new@corp.example.com","firstName":"N","lastName":"U"},"credentials":{"password":{"value":"P@ssw0rd-1!"}}}'));
put('okta-handlers', 'enroll-sms', okta(11, '{"factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"+15555550199"}}'));
put('okta-handlers', 'assign-app', okta(13, '{"id":"00u1","scope":"USER"}'));
console.log(`seed corpus written under ${CORPUS}`);
