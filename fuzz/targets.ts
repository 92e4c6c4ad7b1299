/**
 * The fuzz targets: everything that parses untrusted input. Each accepts only
 * the project's coded errors for bad input; anything else thrown is a finding.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../agent/src/config.ts';
import { assessConfig } from '../agent/src/config-warnings.ts';
import { isCodedError } from '../agent/src/errors.ts';
import { authProtocolOf } from '../agent/src/radius/chap.ts';
import {
  decodePacket,
  describePacket,
  verifyAccountingRequestAuthenticator,
  verifyMessageAuthenticator,
  verifyResponseAuthenticator,
} from '../agent/src/radius/codec.ts';
import { AttributeType, attributeByType } from '../agent/src/radius/dictionary.ts';
import { parseVendorSpecific } from '../agent/src/radius/packet.ts';
import { unhideUserPassword } from '../agent/src/radius/user-password.ts';
import { decodeValue } from '../agent/src/radius/values.ts';
import { ClientTable } from '../agent/src/transport/client-table.ts';
import { VirtualClock } from '../simulators/clock/virtual-clock.ts';
import { Lab } from '../simulators/lab/lab.ts';
import { parseSeed } from '../simulators/lab/seed.ts';
import { OktaOrg } from '../simulators/okta/org.ts';
import { oktaFetch } from '../simulators/okta/serve.ts';
import { readExternalProfile } from '../steps/targets/external.ts';
import type { FuzzTarget } from './engine.ts';

const codedWith =
  (...prefixes: string[]) =>
  (e: unknown): boolean =>
    isCodedError(e) && prefixes.some((p) => e.code.startsWith(p));

const SECRET = 'fuzz-shared-secret-0123';

export const radiusCodec: FuzzTarget = {
  name: 'radius-codec',
  description: 'agent/src/radius: decodePacket, authenticator checks, User-Password, attribute values, vendor attributes',
  maxLen: 4200,
  cover: ['/agent/src/radius/'],
  dictionary: ['\x01\x14', '\x0c\x00\x14', '\x50\x12', '\x1a\x0c\x00\x00\x01\x37', '\x02\x12', '\x03\x13', '\x3c\x12', '\x18\x12', '\x21\x06', '\x04\x06', '\x5f\x12'],
  run(data) {
    const r = decodePacket(data);
    if (!r.ok) {
      // The documented catch-all means the strict parser threw: a bug reported as a code.
      if (r.error.code === 'RADIUS_DECODE_FAILED') throw new Error(`decodePacket's catch-all fired: ${r.error.message}`);
      return;
    }
    const auth = r.packet.authenticator;
    verifyMessageAuthenticator(r.raw, SECRET);
    verifyMessageAuthenticator(r.raw, SECRET, auth);
    verifyResponseAuthenticator(r.raw, auth, SECRET);
    verifyAccountingRequestAuthenticator(r.raw, SECRET);
    describePacket(r.packet);
    authProtocolOf(r.packet);
    for (const a of r.packet.attributes) {
      if (a.type === AttributeType.UserPassword) {
        try {
          unhideUserPassword(a.value, SECRET, auth);
        } catch (e) {
          if (!isCodedError(e, 'RADIUS_BAD_USER_PASSWORD_LENGTH')) throw e;
        }
      }
      if (a.type === AttributeType.VendorSpecific) parseVendorSpecific(a);
      const def = attributeByType(a.type);
      if (def) {
        try {
          decodeValue(def.dataType, a.value);
        } catch (e) {
          if (!isCodedError(e, 'RADIUS_BAD_VALUE')) throw e;
        }
      }
    }
  },
  expected: codedWith('RADIUS_'),
};

const CONFIG_ENV = { OKTA_API_TOKEN: 'fuzz-token', RADIUS_SECRET: 'fuzz-radius-secret-long-enough' };

export const agentConfig: FuzzTarget = {
  name: 'agent-config',
  description: "agent/src/config.ts parseConfigText, the weak-configuration checks and the transport's client table",
  maxLen: 3000,
  cover: ['/agent/src/config', '/agent/src/transport/client-table.ts'],
  dictionary: [
    'okta:',
    'orgUrl: ',
    'https://x.okta.com',
    'http://127.0.0.1:1',
    `apiToken: $${'{'}OKTA_API_TOKEN}`,
    'apps:',
    '- name: a',
    'clients:',
    'address: ',
    '0.0.0.0/0',
    '::/0',
    '10.0.0.0/8',
    'secret: ',
    `$${'{'}RADIUS_SECRET}`,
    '$${',
    'requireMessageAuthenticator: false',
    'mode: password-first',
    'timeouts:',
    'pushMs: ',
    'totalRequestMs: ',
    'http:',
    'host: 0.0.0.0',
    'port: ',
    'allowInsecure: [http-okta, short-secret]',
    'listen:',
    '{',
    '}',
    '[',
    ']',
    '\n  ',
    ': ',
    '&a',
    '*a',
    '!!binary',
    '<<: ',
  ],
  run(data) {
    const config = parseConfigText(data.toString('utf8'), CONFIG_ENV);
    assessConfig(config);
    for (const app of config.apps) new ClientTable(app.clients);
  },
  expected: codedWith('CONFIG_'),
};

export const labSeed: FuzzTarget = {
  name: 'lab-seed',
  description: 'simulators/lab/seed.ts parseSeed, then Lab.fromSeed (the org, devices and directory it builds, in memory)',
  maxLen: 6000,
  cover: ['/simulators/lab/seed.ts', '/simulators/lab/lab.ts', '/simulators/lab/derive.ts'],
  dictionary: [
    'seed: ',
    'org:',
    'name: ',
    'apiToken:',
    'app:',
    'label: ',
    'directory:',
    'domain: CORP',
    'baseDn: DC=corp,DC=example,DC=com',
    'users:',
    '- login: a@corp.example.com',
    'password: ',
    'oktaStatus: ',
    'adState: ',
    'phones:',
    'factors:',
    'type: ',
    'okta-verify',
    'google-authenticator',
    'sms',
    'call',
    'email',
    'duo',
    'clock:',
    'start: ',
    '\n  ',
    '\n    ',
    ': ',
    '[',
    ']',
  ],
  async run(data) {
    const seed = parseSeed(data.toString('utf8'), 'fuzz.yaml');
    await Lab.fromSeed(seed, { clock: new VirtualClock(), source: 'fuzz.yaml' });
  },
  expected: codedWith('LAB_', 'DEVICE_', 'OKTA_', 'CONFIG_'),
};

let profileDir: string | undefined;
export const externalProfile: FuzzTarget = {
  name: 'external-profile',
  description: 'steps/targets/external.ts readExternalProfile (the profile file of an agent under test)',
  maxLen: 3000,
  cover: ['/steps/targets/external.ts'],
  dictionary: [
    'name: ',
    'host: ',
    '127.0.0.1',
    '::1',
    'port: ',
    'secret: ',
    'secretEnv: ',
    'MY_SECRET',
    'capabilities: [',
    'message-authenticator',
    'status-server',
    'okta-mock',
    'probe: ',
    'probeTimeoutMs: ',
    'probeSource: ',
    'ledger: ',
    '\n',
    ': ',
  ],
  run(data) {
    profileDir ??= mkdtempSync(join(tmpdir(), 'rmh-fuzz-profile-'));
    const file = join(profileDir, 'profile.yaml');
    writeFileSync(file, data);
    readExternalProfile(file, { MY_SECRET: 'fuzz-secret' });
  },
  expected: codedWith('EXTERNAL_'),
};

/**
 * The mock Okta's request bodies, through the msw handlers (oktaFetch, as the
 * embedded agent reaches them). Byte 0 picks a route, byte 1 its ids (real or
 * made up), the rest is the body. Any answer is fine so long as it is an Okta
 * error or success body below 500 (the org injects no faults here); a throw or
 * a 5xx is a finding.
 */
export function oktaHandlersTarget(): FuzzTarget {
  let org: OktaOrg;
  let token: string;
  let ids: { user: string; factor: string; app: string; pushFactor: string };
  let fetchOrg: ReturnType<typeof oktaFetch>;
  let uses = 0;
  const fresh = () => {
    org = new OktaOrg({ clock: new VirtualClock() });
    token = org.createApiToken();
    const app = org.createApp({ label: 'Fuzz RADIUS' });
    const u = org.createUser({ profile: { login: 'fuzz@corp.example.com', email: 'fuzz@corp.example.com', mobilePhone: '+15555550123' }, password: 'Fuzz-Password-1!' });
    org.assignUserToApp(app.id, u.id);
    const totp = org.enrollFactor(u.id, { factorType: 'token:software:totp', provider: 'GOOGLE', activate: true });
    const push = org.enrollFactor(u.id, { factorType: 'push', provider: 'OKTA', activate: true });
    org.enrollFactor(u.id, { factorType: 'sms', phoneNumber: '+15555551234', activate: true });
    ids = { user: u.id, factor: totp.factor.id, app: app.id, pushFactor: push.factor.id };
    fetchOrg = oktaFetch(org);
  };
  const ROUTES: Array<[string, string]> = [
    ['GET', '/api/v1/users/{user}'],
    ['GET', '/api/v1/users/{user}/factors'],
    ['POST', '/api/v1/users/{user}/factors/{factor}/verify'],
    ['GET', '/api/v1/users/{user}/factors/{factor}/transactions/{tx}'],
    ['GET', '/api/v1/apps/{app}/users/{user}'],
    ['POST', '/api/v1/authn'],
    ['POST', '/api/v1/authn/factors/{factor}/verify'],
    ['POST', '/api/v1/users'],
    ['POST', '/api/v1/users/{user}/lifecycle/activate'],
    ['POST', '/api/v1/users/{user}/lifecycle/suspend'],
    ['POST', '/api/v1/users/{user}/lifecycle/unlock'],
    ['POST', '/api/v1/users/{user}/factors'],
    ['POST', '/api/v1/users/{user}/factors/{factor}/lifecycle/activate'],
    ['POST', '/api/v1/apps/{app}/users'],
    ['PUT', '/api/v1/apps/{app}/users/{user}'],
    ['POST', '/api/v1/users/{user}/factors/{push}/verify'],
  ];
  return {
    name: 'okta-handlers',
    description: "simulators/okta/handlers.ts: request bodies and path ids through the msw handlers (oktaFetch)",
    maxLen: 2000,
    cover: ['/simulators/okta/'],
    dictionary: [
      '{"passCode":"123456"}',
      '{"username":"fuzz@corp.example.com","password":"Fuzz-Password-1!"}',
      '"stateToken":"',
      '"factorType":"sms"',
      '"factorType":"token:software:totp"',
      '"factorType":"push"',
      '"provider":"OKTA"',
      '"provider":"GOOGLE"',
      '"profile":{"login":"x@y.z","email":"x@y.z"}',
      '"credentials":{"password":{"value":"P@ssw0rd-1!"}}',
      '"id":"',
      '"scope":"USER"',
      '{',
      '}',
      '[',
      ']',
      'null',
      'true',
      '0',
      '"',
      ',',
      ':',
    ],
    async run(data) {
      if (uses++ % 500 === 0) fresh(); // the org grows with every created user: start over now and then
      const [method, template] = ROUTES[(data[0] ?? 0) % ROUTES.length]!;
      const idMode = data[1] ?? 0;
      const odd = (real: string) => (idMode & 1 ? encodeURIComponent(data.subarray(2, 2 + (idMode >> 4)).toString('latin1')) || 'x' : real);
      const path = template
        .replace('{user}', idMode & 2 ? 'fuzz@corp.example.com' : odd(ids.user))
        .replace('{factor}', odd(ids.factor))
        .replace('{push}', ids.pushFactor)
        .replace('{app}', odd(ids.app))
        .replace('{tx}', odd('v2mst.fuzz'));
      const body = data.subarray(2);
      const res = await fetchOrg(`https://fuzz.okta.test${path}`, {
        method,
        headers: { authorization: `SSWS ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        ...(method === 'GET' ? {} : { body: new Uint8Array(body) }),
      });
      const text = await res.text();
      if (res.status >= 500) throw new Error(`mock Okta answered ${res.status} to ${method} ${template}: ${text.slice(0, 200)}`);
      if (text.length > 0) JSON.parse(text); // every answer is a JSON body
    },
    expected: () => false,
  };
}

export function allTargets(): FuzzTarget[] {
  return [radiusCodec, agentConfig, labSeed, externalProfile, oktaHandlersTarget()];
}
