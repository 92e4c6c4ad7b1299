import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { createAgent } from '../../../agent/src/index.ts';
import { type PacketEvent, PacketEvents } from '../../../agent/src/packet-events.ts';
import { encodeStatusServer, verifyMessageAuthenticator, verifyResponseAuthenticator } from '../../../agent/src/radius/codec.ts';
import { systemClock } from '../../../agent/src/clock.ts';
import { attr } from '../../../agent/src/radius/packet.ts';
import { type FrontHooks, RadiusFront } from './front.ts';
import { rewriteReply } from './rewrite.ts';

const SECRET = 'front-test-secret';

async function withFront(hooks: FrontHooks, run: (front: RadiusFront, send: (bytes: Buffer) => Promise<Buffer | undefined>) => Promise<void>): Promise<void> {
  const agentEvents = new PacketEvents();
  const agent = createAgent({
    config: {
      okta: { orgUrl: 'https://unused.okta.example', apiToken: 'unused' },
      apps: [{ name: 'a', listen: { host: '127.0.0.1', port: 0 }, clients: [{ name: 'lab', address: '127.0.0.2', secret: SECRET }] }],
      logging: { level: 'silent' },
    },
    events: agentEvents,
  });
  const [app] = await agent.start();
  const front = new RadiusFront({ agent: app!.endpoint, agentEvents, clock: systemClock, hooks, secretFor: (a) => (a === '127.0.0.2' ? SECRET : undefined) });
  await front.listen();
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.2', () => r()));
  const send = (bytes: Buffer): Promise<Buffer | undefined> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 500);
      client.once('message', (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      client.send(bytes, front.endpoint.port, front.endpoint.address);
    });
  try {
    await run(front, send);
  } finally {
    client.close();
    await front.close();
    await agent.stop();
  }
}

test('transparent: the agent sees the client address, the reply verifies, events look as if the agent listened on the front', async () => {
  await withFront({}, async (front, send) => {
    const events: PacketEvent[] = [];
    front.events.on('packet', (e) => events.push(e));
    const request = encodeStatusServer(7, SECRET);
    const reply = await send(request);
    assert.ok(reply, 'answered through the front');
    assert.equal(reply[0], 2);
    assert.ok(verifyResponseAuthenticator(reply, request.subarray(4, 20), SECRET));
    assert.deepEqual(
      events.map((e) => [e.direction, e.remote.address, e.local.port === front.endpoint.port, e.observer]),
      [
        ['received', '127.0.0.2', true, 'agent'],
        ['sent', '127.0.0.2', true, 'agent'],
      ],
    );
    assert.ok(Buffer.from(events[1]!.bytes).equals(reply), "the 'sent' event carries the bytes the client got");
  });
});

test('a reply defect is applied and re-signed; a request defect drops with a reason the drop counters see', async () => {
  const hooks: FrontHooks = {
    reply: (bytes, request, secret) => (secret ? rewriteReply(bytes, request, secret, { ma: 'last' }) : bytes),
  };
  await withFront(hooks, async (_front, send) => {
    // A Proxy-State comes back in the reply, so "first" and "last" differ.
    const request = encodeStatusServer(8, SECRET, [attr.octets('Proxy-State', 'ps')]);
    const reply = await send(request);
    assert.ok(reply);
    assert.equal(reply[20], 33, 'Proxy-State first, Message-Authenticator no longer');
    assert.equal(reply[reply.length - 18], 80, 'Message-Authenticator last');
    assert.ok(verifyResponseAuthenticator(reply, request.subarray(4, 20), SECRET), 'still a valid reply');
    assert.equal(verifyMessageAuthenticator(reply, SECRET, request.subarray(4, 20)), 'valid');
  });
  await withFront({ request: () => ({ drop: 'unsupported-code', detail: 'test' }) }, async (front, send) => {
    assert.equal(await send(encodeStatusServer(9, SECRET)), undefined);
    assert.equal(front.events.dropped('unsupported-code'), 1);
  });
});
