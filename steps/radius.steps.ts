// RADIUS on the wire: hand-made requests to the agent and what comes back.
// Only scenarios about the protocol itself use these steps.
import assert from 'node:assert/strict';
import { RadiusCode } from '../agent/src/radius/codes.ts';
import { decodePacket, encodeRequest, encodeStatusServer, verifyMessageAuthenticator } from '../agent/src/radius/codec.ts';
import { attr, getAll, type RadiusAttribute } from '../agent/src/radius/packet.ts';
import { codeFrom } from './sign-in.steps.ts';
import { stepsFor } from './support/catalogue.ts';
import type { AppName, Person } from './support/parameters.ts';
import type { LabWorld } from './support/world.ts';

const { Given, When, Then } = stepsFor<LabWorld>('radius');

let nextIdentifier = 17;

interface RequestOptions {
  messageAuthenticator?: 'first' | 'none' | 'tampered';
  proxyStates?: string[];
}

function accessRequest(world: LabWorld, person: Person, password: string, options: RequestOptions = {}): Buffer {
  const attributes: RadiusAttribute[] = [attr.text('User-Name', world.user(person).samAccountName)];
  for (const p of options.proxyStates ?? []) attributes.push(attr.octets('Proxy-State', p));
  const bytes = encodeRequest(
    {
      code: RadiusCode.AccessRequest,
      identifier: nextIdentifier++ % 256,
      attributes,
      userPassword: password,
      messageAuthenticator: options.messageAuthenticator === 'none' ? 'none' : 'first',
    },
    world.agentSecret(),
  );
  if (options.messageAuthenticator === 'tampered') bytes[22] = bytes[22]! ^ 0xff; // first octet of the MA value (MA is first)
  return bytes;
}

function lastReply(world: LabWorld): Buffer {
  const reply = world.lastRaw?.replies[0];
  assert.ok(reply, 'the agent did not answer');
  return reply;
}

When(
  'a RADIUS client sends {whose} current {factor}',
  {
    description: "Sends one Access-Request (PAP, Message-Authenticator first) from the AD Connector's address with the person's current code.",
    example: "When a RADIUS client sends Alice's current Okta Verify code",
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.rawExchange([accessRequest(this, person, codeFrom(this, person, app))], 1);
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
    const bytes = accessRequest(this, person, codeFrom(this, person, app));
    await this.rawExchange(Array.from({ length: n }, () => bytes), n, 5_000, { oneAtATime: true });
  },
);

When(
  'a RADIUS client sends {whose} current {factor} with Proxy-State {string}, {string} and {string}',
  {
    description: 'Sends an Access-Request carrying three Proxy-State attributes in this order.',
    example: 'When a RADIUS client sends Alice\'s current Okta Verify code with Proxy-State "first", "second" and "third"',
  },
  async function (this: LabWorld, person: Person, app: AppName, a: string, b: string, c: string) {
    await this.rawExchange([accessRequest(this, person, codeFrom(this, person, app), { proxyStates: [a, b, c] })], 1);
  },
);

When(
  'a RADIUS client sends {whose} current {factor} without a Message-Authenticator',
  {
    description: 'Sends an Access-Request with no Message-Authenticator.',
    example: "When a RADIUS client sends Alice's current Okta Verify code without a Message-Authenticator",
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.rawExchange([accessRequest(this, person, codeFrom(this, person, app), { messageAuthenticator: 'none' })], 1);
  },
);

When(
  'a RADIUS client sends {whose} current {factor} with a tampered Message-Authenticator',
  {
    description: 'Sends an Access-Request whose Message-Authenticator does not match its contents.',
    example: "When a RADIUS client sends Alice's current Okta Verify code with a tampered Message-Authenticator",
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.rawExchange([accessRequest(this, person, codeFrom(this, person, app), { messageAuthenticator: 'tampered' })], 1);
  },
);

When(
  'a RADIUS client sends {whose} current {factor} with Proxy-State {string} and without a Message-Authenticator',
  {
    description: 'Sends an Access-Request with a Proxy-State and no Message-Authenticator (the BlastRADIUS shape).',
    example: 'When a RADIUS client sends Alice\'s current Okta Verify code with Proxy-State "p1" and without a Message-Authenticator',
  },
  async function (this: LabWorld, person: Person, app: AppName, proxyState: string) {
    const bytes = accessRequest(this, person, codeFrom(this, person, app), { messageAuthenticator: 'none', proxyStates: [proxyState] });
    await this.rawExchange([bytes], 1);
  },
);

When(
  'a RADIUS client sends {string} as {whose} MFA code',
  {
    description: 'Sends an Access-Request with exactly this text as User-Password.',
    example: 'When a RADIUS client sends "000000" as Alice\'s MFA code',
  },
  async function (this: LabWorld, text: string, person: Person) {
    await this.rawExchange([accessRequest(this, person, text)], 1);
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
    await this.rawExchange([encodeStatusServer(nextIdentifier++ % 256, this.agentSecret())], 1);
  },
);

When(
  'a RADIUS client sends a packet that {malformation}',
  {
    description: 'Sends a datagram that is not valid RADIUS: is shorter than a RADIUS header, claims more bytes than it has, has an attribute of length 1.',
    example: 'When a RADIUS client sends a packet that is shorter than a RADIUS header',
  },
  async function (this: LabWorld, what: string) {
    let bytes: Buffer;
    if (what === 'is shorter than a RADIUS header') bytes = Buffer.from([1, 1, 0, 10, 0, 0, 0, 0, 0, 0]);
    else {
      const header = Buffer.alloc(20);
      header[0] = 1;
      header[1] = nextIdentifier++ % 256;
      if (what === 'claims more bytes than it has') {
        header.writeUInt16BE(100, 2);
        bytes = header;
      } else {
        bytes = Buffer.concat([header, Buffer.from([1, 1])]);
        bytes.writeUInt16BE(bytes.length, 2);
      }
    }
    await this.rawExchange([bytes], 1);
  },
);

Then(
  'the agent answers with {radiusCode}',
  {
    description: 'The reply to the last hand-made request has this code: Access-Accept, Access-Reject or Access-Challenge.',
    example: 'Then the agent answers with Access-Accept',
  },
  function (this: LabWorld, code: number) {
    const reply = lastReply(this);
    assert.equal(reply[0], code, `reply code ${reply[0]}`);
  },
);

Then(
  'the agent answers every copy with the same Access-Accept',
  {
    description: 'Every retransmission got a reply, all Access-Accept and byte for byte the same (RFC 5080 duplicate cache).',
    example: 'Then the agent answers every copy with the same Access-Accept',
  },
  function (this: LabWorld) {
    const { requests, replies } = this.lastRaw!;
    assert.equal(replies.length, requests.length, 'replies');
    for (const r of replies) {
      assert.equal(r[0], RadiusCode.AccessAccept);
      assert.ok(r.equals(replies[0]!), 'replies differ');
    }
  },
);

Then(
  'the agent does not answer',
  {
    description: 'No reply came to the last hand-made request within 5 seconds of lab time.',
    example: 'Then the agent does not answer',
  },
  function (this: LabWorld) {
    assert.equal(this.lastRaw?.replies.length ?? 0, 0, 'the agent answered');
  },
);

Then(
  "the reply's first attribute is Message-Authenticator",
  {
    description: 'Message-Authenticator is the first attribute of the reply (BlastRADIUS hardening).',
    example: "And the reply's first attribute is Message-Authenticator",
  },
  function (this: LabWorld) {
    const reply = lastReply(this);
    assert.equal(reply[20], 80, `first attribute is type ${reply[20]}`);
  },
);

Then(
  "the reply's Message-Authenticator is valid",
  {
    description: "The reply's Message-Authenticator checks out with the shared secret and the request's authenticator.",
    example: "And the reply's Message-Authenticator is valid",
  },
  function (this: LabWorld) {
    const reply = lastReply(this);
    const request = this.lastRaw!.requests[0]!;
    assert.equal(verifyMessageAuthenticator(reply, this.agentSecret(), request.subarray(4, 20)), 'valid');
  },
);

Then(
  'the reply carries Proxy-State {string}, {string} and {string} in that order',
  {
    description: 'The reply copies every Proxy-State of the request, in order (RFC 2865 §5.33).',
    example: 'Then the reply carries Proxy-State "first", "second" and "third" in that order',
  },
  function (this: LabWorld, a: string, b: string, c: string) {
    const decoded = decodePacket(lastReply(this));
    assert.ok(decoded.ok, 'the reply does not decode');
    const states = getAll(decoded.packet, 'Proxy-State').map((v) => Buffer.from(v).toString('utf8'));
    assert.deepEqual(states, [a, b, c]);
  },
);

Then(
  'the agent dropped {count} request(s) as {string}',
  {
    description:
      "Counts datagrams the agent dropped with this reason during the last sign-in or hand-made exchange (from the agent's packet events), e.g. unknown-client, bad-message-authenticator, malformed.",
    example: 'And the agent dropped 1 request as "missing-message-authenticator"',
  },
  async function (this: LabWorld, n: number, reason: string) {
    assert.ok(this.agent?.events || this.agent?.metrics, 'the agent under test exposes neither packet events nor metrics');
    assert.equal(await this.agentDrops(reason), n, `drops as ${reason}`);
  },
);

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
