// RADIUS on the wire: hand-made requests to the agent and what comes back.
// Only scenarios about the protocol itself use these steps. Requests are made,
// and replies checked, by the connector's codec (the npm `radius` package,
// wrapped) with the target's secret — never by the agent's own code.
import assert from 'node:assert/strict';
import { encodeAccessRequest, encodeStatusServer, type VerifyResult } from '../simulators/ad-connector/radius-codec.ts';
import { codeFrom } from './sign-in.steps.ts';
import { stepsFor } from './support/catalogue.ts';
import type { AppName, Person } from './support/parameters.ts';
import { type LabWorld, nextIdentifier, type RawRequest } from './support/world.ts';

const { Given, When, Then } = stepsFor<LabWorld>('radius');

const CODE_NAMES: Record<number, string> = { 2: 'Access-Accept', 3: 'Access-Reject', 11: 'Access-Challenge' };
const MESSAGE_AUTHENTICATOR = 80;

interface RequestOptions {
  messageAuthenticator?: 'first' | 'none' | 'tampered';
  proxyStates?: string[];
}

async function accessRequest(world: LabWorld, person: Person, password: string, options: RequestOptions = {}): Promise<RawRequest> {
  // The target must be up before encoding: its secret (an external agent's) is known only then.
  await world.ready();
  const request = encodeAccessRequest({
    identifier: nextIdentifier(),
    secret: world.agentSecret(),
    userName: world.user(person).samAccountName,
    password,
    protocol: 'PAP',
    messageAuthenticator: options.messageAuthenticator !== 'none',
    extraAttributes: (options.proxyStates ?? []).map((p): [string, Buffer] => ['Proxy-State', Buffer.from(p, 'utf8')]),
  });
  // The connector's codec puts Message-Authenticator first: its value starts at octet 22.
  if (options.messageAuthenticator === 'tampered') request.bytes[22] = request.bytes[22]! ^ 0xff;
  return request;
}

/** The first reply to the last hand-made request, verified; fails with what was wrong. */
function verifiedReply(world: LabWorld, index = 0): { bytes: Buffer; check: VerifyResult & { ok: true } } {
  const bytes = world.lastRaw?.replies[index];
  assert.ok(bytes, 'the agent did not answer');
  const check = world.lastRaw!.verified[index]!;
  assert.ok(check.ok, `the reply failed verification with the target's secret: ${check.ok ? '' : `${check.reason} — ${check.detail}`}`);
  return { bytes, check };
}

async function sendCopies(world: LabWorld, request: RawRequest, n: number): Promise<void> {
  await world.rawExchange(Array.from({ length: n }, () => request), n, 5_000, { oneAtATime: true });
}

When(
  'a RADIUS client sends {whose} current {factor}',
  {
    description: "Sends one Access-Request (PAP, Message-Authenticator first) from the AD Connector's address with the person's current code.",
    example: "When a RADIUS client sends Alice's current Okta Verify code",
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.rawExchange([await accessRequest(this, person, codeFrom(this, person, app))], 1);
  },
);

When(
  'a RADIUS client sends {whose} current {factor} {int} times with the same identifier',
  {
    description:
      'Sends the same datagram (same Identifier and Authenticator) several times, as retransmissions: each copy after the first once the previous one was answered, as a client whose reply got lost retransmits.',
    example: "When a RADIUS client sends Alice's current Okta Verify code 3 times with the same identifier",
  },
  async function (this: LabWorld, person: Person, app: AppName, n: number) {
    await sendCopies(this, await accessRequest(this, person, codeFrom(this, person, app)), n);
  },
);

When(
  'a RADIUS client sends {string} as {whose} MFA code {int} times with the same identifier',
  {
    description: 'Sends the same Access-Request (same Identifier and Authenticator) with this text as User-Password several times, each copy once the previous one was answered.',
    example: 'When a RADIUS client sends "000000" as Alice\'s MFA code 3 times with the same identifier',
  },
  async function (this: LabWorld, text: string, person: Person, n: number) {
    await sendCopies(this, await accessRequest(this, person, text), n);
  },
);

When(
  'a RADIUS client sends {whose} current {factor} with Proxy-State {string}, {string} and {string}',
  {
    description: 'Sends an Access-Request carrying three Proxy-State attributes in this order.',
    example: 'When a RADIUS client sends Alice\'s current Okta Verify code with Proxy-State "first", "second" and "third"',
  },
  async function (this: LabWorld, person: Person, app: AppName, a: string, b: string, c: string) {
    await this.rawExchange([await accessRequest(this, person, codeFrom(this, person, app), { proxyStates: [a, b, c] })], 1);
  },
);

When(
  'a RADIUS client sends {string} as {whose} MFA code with Proxy-State {string}, {string} and {string}',
  {
    description: 'Sends an Access-Request with this text as User-Password and three Proxy-State attributes in this order.',
    example: 'When a RADIUS client sends "000000" as Alice\'s MFA code with Proxy-State "first", "second" and "third"',
  },
  async function (this: LabWorld, text: string, person: Person, a: string, b: string, c: string) {
    await this.rawExchange([await accessRequest(this, person, text, { proxyStates: [a, b, c] })], 1);
  },
);

When(
  'a RADIUS client sends {whose} current {factor} without a Message-Authenticator',
  {
    description: 'Sends an Access-Request with no Message-Authenticator.',
    example: "When a RADIUS client sends Alice's current Okta Verify code without a Message-Authenticator",
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.rawExchange([await accessRequest(this, person, codeFrom(this, person, app), { messageAuthenticator: 'none' })], 1);
  },
);

When(
  'a RADIUS client sends {whose} current {factor} with a tampered Message-Authenticator',
  {
    description: 'Sends an Access-Request whose Message-Authenticator does not match its contents.',
    example: "When a RADIUS client sends Alice's current Okta Verify code with a tampered Message-Authenticator",
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.rawExchange([await accessRequest(this, person, codeFrom(this, person, app), { messageAuthenticator: 'tampered' })], 1);
  },
);

When(
  'a RADIUS client sends {whose} current {factor} with Proxy-State {string} and without a Message-Authenticator',
  {
    description: 'Sends an Access-Request with a Proxy-State and no Message-Authenticator (the BlastRADIUS shape).',
    example: 'When a RADIUS client sends Alice\'s current Okta Verify code with Proxy-State "p1" and without a Message-Authenticator',
  },
  async function (this: LabWorld, person: Person, app: AppName, proxyState: string) {
    await this.rawExchange([await accessRequest(this, person, codeFrom(this, person, app), { messageAuthenticator: 'none', proxyStates: [proxyState] })], 1);
  },
);

When(
  'a RADIUS client sends {string} as {whose} MFA code',
  {
    description: 'Sends an Access-Request with exactly this text as User-Password.',
    example: 'When a RADIUS client sends "000000" as Alice\'s MFA code',
  },
  async function (this: LabWorld, text: string, person: Person) {
    await this.rawExchange([await accessRequest(this, person, text)], 1);
  },
);

When(
  'a RADIUS client sends a Status-Server request',
  {
    description: 'Sends a Status-Server (RFC 5997) with Message-Authenticator.',
    example: 'When a RADIUS client sends a Status-Server request',
  },
  async function (this: LabWorld) {
    await this.ready();
    await this.rawExchange([encodeStatusServer({ identifier: nextIdentifier(), secret: this.agentSecret() })], 1);
  },
);

When(
  'a RADIUS client sends a packet that {malformation}',
  {
    description: 'Sends a datagram that is not valid RADIUS: is shorter than a RADIUS header, claims more bytes than it has, has an attribute of length 1.',
    example: 'When a RADIUS client sends a packet that is shorter than a RADIUS header',
  },
  async function (this: LabWorld, what: string) {
    const identifier = nextIdentifier();
    let bytes: Buffer;
    if (what === 'is shorter than a RADIUS header') bytes = Buffer.from([1, identifier, 0, 10, 0, 0, 0, 0, 0, 0]);
    else {
      const header = Buffer.alloc(20);
      header[0] = 1;
      header[1] = identifier;
      if (what === 'claims more bytes than it has') {
        header.writeUInt16BE(100, 2);
        bytes = header;
      } else {
        bytes = Buffer.concat([header, Buffer.from([1, 1])]);
        bytes.writeUInt16BE(bytes.length, 2);
      }
    }
    await this.rawExchange([{ bytes, identifier, authenticator: bytes.subarray(4, 20), messageAuthenticator: false }], 1);
  },
);

Then(
  'the agent answers with {radiusCode}',
  {
    description:
      "The reply to the last hand-made request has this code (Access-Accept, Access-Reject or Access-Challenge), and checks out: its identifier matches the request, and its Response Authenticator and any Message-Authenticator verify with the target's secret.",
    example: 'Then the agent answers with Access-Accept',
  },
  function (this: LabWorld, code: number) {
    const { check } = verifiedReply(this);
    assert.equal(check.reply.code, code, `the agent answered with ${CODE_NAMES[check.reply.code] ?? `code ${check.reply.code}`}`);
  },
);

Then(
  'the agent answers every copy with the same {radiusCode}',
  {
    description:
      'Every copy of the last hand-made request got a reply; each verifies with the target\'s secret, has this code, and all are byte for byte the same (RFC 5080 duplicate cache).',
    example: 'Then the agent answers every copy with the same Access-Accept',
  },
  function (this: LabWorld, code: number) {
    const { requests, replies } = this.lastRaw!;
    assert.equal(replies.length, requests.length, `${requests.length} copies were sent but ${replies.length} replies came back`);
    for (let i = 0; i < replies.length; i++) {
      const { bytes, check } = verifiedReply(this, i);
      assert.equal(check.reply.code, code, `copy ${i + 1} was answered with ${CODE_NAMES[check.reply.code] ?? check.reply.code}`);
      assert.ok(bytes.equals(replies[0]!), `the reply to copy ${i + 1} differs from the first reply`);
    }
  },
);

Then(
  'the agent does not answer',
  {
    description:
      'No reply came to the last hand-made request within 5 seconds of lab time — and the agent then answers a known-good request (proof of life), so the silence was its decision, not a crash.',
    example: 'Then the agent does not answer',
  },
  async function (this: LabWorld) {
    const replies = this.lastRaw?.replies.length ?? 0;
    assert.equal(replies, 0, `the agent answered (${replies} repl${replies === 1 ? 'y' : 'ies'})`);
    await this.proveAgentAlive();
  },
);

Then(
  "the reply's first attribute is Message-Authenticator",
  {
    description: 'The reply verifies, and Message-Authenticator is its first attribute (BlastRADIUS hardening).',
    example: "And the reply's first attribute is Message-Authenticator",
  },
  function (this: LabWorld) {
    const { bytes } = verifiedReply(this);
    assert.ok(bytes.length > 20, 'the reply has no attributes');
    assert.equal(bytes[20], MESSAGE_AUTHENTICATOR, `the first attribute is type ${bytes[20]}, not Message-Authenticator (80)`);
  },
);

Then(
  "the reply's Message-Authenticator is valid",
  {
    description: "The reply carries a Message-Authenticator, and it checks out with the target's secret and the request's authenticator (RFC 3579 §3.2).",
    example: "And the reply's Message-Authenticator is valid",
  },
  function (this: LabWorld) {
    const { check } = verifiedReply(this);
    assert.ok(check.reply.hasMessageAuthenticator, 'the reply has no Message-Authenticator');
  },
);

Then(
  'the reply carries Proxy-State {string}, {string} and {string} in that order',
  {
    description: 'The reply verifies and copies every Proxy-State of the request, in order (RFC 2865 §5.33).',
    example: 'Then the reply carries Proxy-State "first", "second" and "third" in that order',
  },
  function (this: LabWorld, a: string, b: string, c: string) {
    const { bytes } = verifiedReply(this);
    assert.deepEqual(proxyStates(bytes), [a, b, c]);
  },
);

Then(
  'the agent dropped {count} request(s) as {dropReason}',
  {
    description:
      "Counts datagrams the agent dropped with this reason during the last sign-in or hand-made exchange (from the agent's packet events or its metrics): malformed, unknown-client, unsupported-code, bad-message-authenticator, missing-message-authenticator, duplicate-in-progress, duplicate-no-reply.",
    example: 'And the agent dropped 1 request as "missing-message-authenticator"',
  },
  async function (this: LabWorld, n: number, reason: string) {
    assert.ok(this.agent?.events || this.agent?.metrics, 'the agent under test exposes neither packet events nor metrics');
    assert.equal(await this.agentDrops(reason), n, `drops as ${reason}`);
  },
);

/** Proxy-State values of a datagram, read from its bytes (type 33), in order. */
function proxyStates(bytes: Buffer): string[] {
  const out: string[] = [];
  const length = bytes.readUInt16BE(2);
  for (let at = 20; at + 2 <= length; ) {
    const len = bytes[at + 1]!;
    if (len < 2) break;
    if (bytes[at] === 33) out.push(bytes.subarray(at + 2, at + len).toString('utf8'));
    at += len;
  }
  return out;
}

Given(
  "the agent does not know the AD Connector's first address",
  {
    description: 'The agent is configured with only the second client address (127.0.0.3); requests from 127.0.0.2 are from a stranger.',
    example: "Given the agent does not know the AD Connector's first address",
  },
  function (this: LabWorld) {
    this.agentClients = this.agentClients.filter((c) => c.address !== '127.0.0.2');
  },
);

Given(
  'the agent does not require Message-Authenticator from the AD Connector',
  {
    description: 'Turns off the per-client requirement (Message-Authenticator is still checked when present).',
    example: 'Given the agent does not require Message-Authenticator from the AD Connector',
  },
  function (this: LabWorld) {
    for (const c of this.agentClients) c.requireMessageAuthenticator = false;
  },
);
