import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import type { Endpoint, PacketEvent } from '../packet-events.ts';
import { PacketEvents } from '../packet-events.ts';
import { RadiusCode } from '../radius/codes.ts';
import {
  authenticatorOf,
  decodePacket,
  encodeRequest,
  encodeStatusServer,
  verifyMessageAuthenticator,
  verifyResponseAuthenticator,
} from '../radius/codec.ts';
import { AttributeType } from '../radius/dictionary.ts';
import { attr, getAll, getText } from '../radius/packet.ts';
import { type RadiusClientConfig, type RadiusHandler, type RadiusReply, type RadiusRequestContext, RadiusServer } from './radius-server.ts';
import { nextPacketEvent, UdpTestClient } from './udp-test-client.ts';

const SECRET = 'loopback-secret';
const TTL = 30_000;

interface Lab {
  clock: VirtualClock;
  events: PacketEvents;
  server: RadiusServer;
  address: Endpoint;
  client: UdpTestClient;
  calls: { count: number; passwords: string[] };
  log: PacketEvent[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** PAP handler: accept when the password is 'ok'. */
const papHandler =
  (calls: Lab['calls']): RadiusHandler =>
  async (req) => {
    calls.count++;
    const pw = req.userPassword()?.toString() ?? '';
    calls.passwords.push(pw);
    return pw === 'ok'
      ? { code: RadiusCode.AccessAccept, attributes: [attr.text('Reply-Message', 'welcome')] }
      : { code: RadiusCode.AccessReject, attributes: [attr.text('Reply-Message', 'denied')] };
  };

async function lab(
  options: {
    clients?: RadiusClientConfig[];
    handler?: (calls: Lab['calls']) => RadiusHandler;
    host?: string;
  } = {},
): Promise<Lab> {
  const clock = new VirtualClock();
  const events = new PacketEvents();
  const log: PacketEvent[] = [];
  events.on('packet', (e) => log.push(e));
  const calls = { count: 0, passwords: [] as string[] };
  const host = options.host ?? '127.0.0.1';
  const server = new RadiusServer({
    clock,
    events,
    host,
    port: 0,
    clients: options.clients ?? [{ name: 'connector', address: host === '::1' ? '::1' : '127.0.0.0/8', secret: SECRET }],
    handler: (options.handler ?? papHandler)(calls),
    duplicateTtlMs: TTL,
  });
  const address = await server.listen();
  const client = await UdpTestClient.open(host);
  cleanups.push(async () => {
    await client.close();
    await server.close();
  });
  return { clock, events, server, address, client, calls, log };
}

function request(
  password: string,
  extra: { identifier?: number; secret?: string; ma?: 'first' | 'last' | 'none'; attributes?: ReturnType<typeof attr.text>[] } = {},
): Buffer {
  return encodeRequest(
    {
      code: RadiusCode.AccessRequest,
      identifier: extra.identifier ?? 1,
      attributes: [attr.text('User-Name', 'alice'), ...(extra.attributes ?? [])],
      userPassword: password,
      messageAuthenticator: extra.ma ?? 'first',
    },
    extra.secret ?? SECRET,
  );
}

function decodeOk(bytes: Uint8Array) {
  const r = decodePacket(bytes);
  if (!r.ok) throw r.error;
  return r.packet;
}

const dropped = (l: Lab, reason: string) => nextPacketEvent(l.events, (e) => e.direction === 'dropped' && e.reason === reason);

describe('RadiusServer over UDP on loopback', () => {
  it('answers with MA first, a valid Response Authenticator, and Proxy-State copied in order', async () => {
    const l = await lab();
    const req = request('ok', { attributes: [attr.octets('Proxy-State', 'first'), attr.octets('Proxy-State', 'second')] });
    const reply = await l.client.exchange(req, l.address);
    const packet = decodeOk(reply);
    assert.equal(packet.code, RadiusCode.AccessAccept);
    assert.equal(packet.identifier, 1);
    assert.deepEqual(
      packet.attributes.map((a) => a.type),
      [AttributeType.MessageAuthenticator, AttributeType.ReplyMessage, AttributeType.ProxyState, AttributeType.ProxyState],
    );
    assert.deepEqual(
      getAll(packet, 'Proxy-State').map((v) => Buffer.from(v).toString()),
      ['first', 'second'],
    );
    assert.equal(verifyResponseAuthenticator(reply, authenticatorOf(req), SECRET), true);
    assert.equal(verifyMessageAuthenticator(reply, SECRET, authenticatorOf(req)), 'valid');
    assert.equal(getText(packet, 'Reply-Message'), 'welcome');
    assert.deepEqual(l.calls.passwords, ['ok']);

    const reject = decodeOk(await l.client.exchange(request('nope', { identifier: 2 }), l.address));
    assert.equal(reject.code, RadiusCode.AccessReject);

    // Events: one received and one sent per exchange, stamped with the injected clock.
    assert.deepEqual(
      l.log.map((e) => e.direction),
      ['received', 'sent', 'received', 'sent'],
    );
    assert.ok(l.log.every((e) => e.observer === 'agent' && e.at === l.clock.now()));
    assert.equal(l.log[0]!.remote.port, l.client.local.port);
    assert.equal(l.log[1]!.local.port, l.address.port);
    assert.equal(l.server.stats.received, 2);
    assert.equal(l.server.stats.sent, 2);
  });

  it('drops and counts a request from an unknown address', async () => {
    const l = await lab({ clients: [{ name: 'elsewhere', address: '192.0.2.0/24', secret: SECRET }] });
    const drop = dropped(l, 'unknown-client');
    await l.client.send(request('ok'), l.address);
    const e = await drop;
    assert.equal(e.code, RadiusCode.AccessRequest);
    assert.equal(l.calls.count, 0);
    assert.equal(l.events.dropped('unknown-client'), 1);
    assert.equal(l.server.stats.dropped['unknown-client'], 1);
    assert.equal(l.client.pending, 0);
  });

  it('drops a request without MA when the client requires one (default), answers it when not required', async () => {
    const strict = await lab();
    const drop = dropped(strict, 'missing-message-authenticator');
    await strict.client.send(request('ok', { ma: 'none' }), strict.address);
    await drop;
    assert.equal(strict.calls.count, 0);

    const lax = await lab({
      clients: [{ name: 'old-nas', address: '127.0.0.1', secret: SECRET, requireMessageAuthenticator: false }],
    });
    const reply = decodeOk(await lax.client.exchange(request('ok', { ma: 'none' }), lax.address));
    assert.equal(reply.code, RadiusCode.AccessAccept);
    assert.equal(reply.attributes[0]!.type, AttributeType.MessageAuthenticator, 'MA is in the reply even when the request had none');
  });

  it('drops a bad MA (wrong secret or tampered) without touching the duplicate cache', async () => {
    const l = await lab();
    const good = request('ok', { identifier: 5 });
    const tampered = Buffer.from(good);
    tampered[25] = tampered[25]! ^ 0xff;
    let drop = dropped(l, 'bad-message-authenticator');
    await l.client.send(tampered, l.address);
    await drop;
    drop = dropped(l, 'bad-message-authenticator');
    await l.client.send(request('ok', { identifier: 5, secret: 'not-the-secret' }), l.address);
    await drop;
    assert.equal(l.server.stats.cacheSize, 0);
    // The genuine request with the same id and authenticator is processed normally.
    const reply = decodeOk(await l.client.exchange(good, l.address));
    assert.equal(reply.code, RadiusCode.AccessAccept);
    assert.equal(l.calls.count, 1);
    assert.equal(l.events.dropped('bad-message-authenticator'), 2);
  });

  it('answers a retransmission with identical bytes and one handler call', async () => {
    const l = await lab();
    const req = request('ok', { identifier: 9 });
    const first = await l.client.exchange(req, l.address);
    const second = await l.client.exchange(req, l.address);
    assert.deepEqual(second, first);
    assert.equal(l.calls.count, 1);
    assert.equal(l.server.stats.duplicatesAnswered, 1);
    assert.deepEqual(
      l.log.filter((e) => e.direction === 'sent').map((e) => e.detail),
      [undefined, 'duplicate'],
    );
  });

  it('drops a retransmission while the original is still processing, then answers later ones from the cache', async () => {
    let release: (r: RadiusReply) => void = () => {};
    const l = await lab({
      handler: (calls) => () => {
        calls.count++;
        return new Promise<RadiusReply>((resolve) => {
          release = resolve;
        });
      },
    });
    const req = request('ok', { identifier: 11 });
    const received = nextPacketEvent(l.events, (e) => e.direction === 'received');
    await l.client.send(req, l.address);
    await received;
    assert.equal(l.server.inFlight, 1);

    const drop = dropped(l, 'duplicate-in-progress');
    await l.client.send(req, l.address);
    await drop;

    const replyP = l.client.receive();
    release({ code: RadiusCode.AccessAccept });
    const reply = await replyP;
    await l.server.whenIdle();
    assert.equal(l.server.inFlight, 0);

    const again = await l.client.exchange(req, l.address);
    assert.deepEqual(again, reply);
    assert.equal(l.calls.count, 1);
  });

  it('treats a new authenticator with the same identifier as a new request', async () => {
    const l = await lab();
    const a = await l.client.exchange(request('ok', { identifier: 3 }), l.address);
    const b = await l.client.exchange(request('bad', { identifier: 3 }), l.address);
    assert.equal(l.calls.count, 2);
    assert.equal(decodeOk(a).code, RadiusCode.AccessAccept);
    assert.equal(decodeOk(b).code, RadiusCode.AccessReject);
    assert.equal(l.server.stats.cacheSize, 1, 'the new request replaced the entry');
  });

  it('forgets cached replies when the injected clock passes the TTL', async () => {
    const l = await lab();
    const req = request('ok', { identifier: 4 });
    await l.client.exchange(req, l.address);
    await l.clock.advance(TTL - 1);
    await l.client.exchange(req, l.address);
    assert.equal(l.calls.count, 1, 'still cached just before expiry');
    await l.clock.advance(1);
    assert.equal(l.server.stats.cacheSize, 0);
    await l.client.exchange(req, l.address);
    assert.equal(l.calls.count, 2, 'processed again after expiry');
  });

  it('expires many entries in finish order with one timer, skipping ones a new request replaced', async () => {
    const l = await lab();
    for (let id = 0; id < 5; id++) {
      await l.client.exchange(request('ok', { identifier: id }), l.address);
      await l.clock.advance(1_000);
    }
    // Identifier 0 again, new authenticator: its old entry must not expire the new one.
    await l.client.exchange(request('bad', { identifier: 0 }), l.address);
    assert.equal(l.server.stats.cacheSize, 5);
    // Finished: old id 0 at t=0, ids 1..4 at 1..4 s, the new id 0 at 5 s. Now t = TTL + 1 ms:
    // the old id 0's expiry came up and was skipped, since the new request replaced it.
    await l.clock.advance(TTL - 5_000 + 1);
    assert.equal(l.server.stats.cacheSize, 5, 'the replaced entry expired without taking the new one');
    await l.clock.advance(4_000);
    assert.equal(l.server.stats.cacheSize, 1, 'only the newest is left');
    await l.clock.advance(1_000);
    assert.equal(l.server.stats.cacheSize, 0);
  });

  it('a request superseded while processing sees its signal abort with RADIUS_REQUEST_SUPERSEDED and is not answered', async () => {
    const reasons: unknown[] = [];
    let first = true;
    const l = await lab({
      handler: (calls) => (req) => {
        calls.count++;
        if (!first) return Promise.resolve({ code: RadiusCode.AccessReject });
        first = false;
        return new Promise<RadiusReply>((resolve) => {
          req.signal.addEventListener('abort', () => {
            reasons.push(req.signal.reason);
            resolve({ code: RadiusCode.AccessAccept });
          });
        });
      },
    });
    const received = nextPacketEvent(l.events, (e) => e.direction === 'received');
    await l.client.send(request('ok', { identifier: 9 }), l.address);
    await received;
    const superseded = dropped(l, 'superseded');
    const reply = await l.client.exchange(request('bad', { identifier: 9 }), l.address);
    await superseded;
    assert.equal(decodeOk(reply).code, RadiusCode.AccessReject);
    assert.equal((reasons[0] as { code?: string }).code, 'RADIUS_REQUEST_SUPERSEDED');
  });

  it('a handler may answer synchronously: the reply is sent (and remembered) as an async one is', async () => {
    const order: string[] = [];
    const l = await lab({
      handler: (calls) => (req) => {
        calls.count++;
        order.push('handler');
        return req.userPassword()?.toString() === 'ok' ? { code: RadiusCode.AccessAccept } : null;
      },
    });
    l.events.on('packet', (e) => order.push(e.direction === 'dropped' ? `dropped:${e.reason}` : e.direction));
    const req = request('ok', { identifier: 4 });
    const reply = await l.client.exchange(req, l.address);
    assert.equal(decodeOk(reply).code, RadiusCode.AccessAccept);
    assert.equal(verifyResponseAuthenticator(reply, authenticatorOf(req), SECRET), true);
    assert.deepEqual(order, ['received', 'handler', 'sent']);
    assert.deepEqual(await l.client.exchange(req, l.address), reply, 'a retransmission gets the remembered reply');
    assert.equal(l.calls.count, 1);
    const silent = dropped(l, 'handler-no-reply');
    await l.client.send(request('no', { identifier: 5 }), l.address);
    await silent;
    assert.equal(l.server.inFlight, 0);
    assert.equal(l.server.stats.cacheSize, 2);
  });

  it('a signal first asked for after the request was superseded is already aborted, with the reason', async () => {
    let late: (() => AbortSignal) | undefined;
    let first = true;
    const l = await lab({
      handler: () => (req) => {
        if (!first) return { code: RadiusCode.AccessReject };
        first = false;
        late = () => req.signal;
        return new Promise<RadiusReply>(() => {});
      },
    });
    const received = nextPacketEvent(l.events, (e) => e.direction === 'received');
    await l.client.send(request('ok', { identifier: 9 }), l.address);
    await received;
    await l.client.exchange(request('bad', { identifier: 9 }), l.address);
    assert.ok(late);
    const signal = late();
    assert.equal(signal.aborted, true);
    assert.equal((signal.reason as { code?: string }).code, 'RADIUS_REQUEST_SUPERSEDED');
    assert.equal(late(), signal, 'the same signal every time');
  });

  it("a superseded request's end tells the listeners still on it once, and the signal agrees", async () => {
    const told: string[] = [];
    let ctx: RadiusRequestContext | undefined;
    let first = true;
    const l = await lab({
      handler: () => (req) => {
        if (!first) return { code: RadiusCode.AccessReject };
        first = false;
        ctx = req;
        const removed = (): void => {
          told.push('removed');
        };
        req.end.addEventListener('abort', () => told.push('a'));
        req.end.addEventListener('abort', removed);
        req.end.addEventListener('abort', () => told.push('b'));
        req.end.removeEventListener('abort', removed);
        return new Promise<RadiusReply>(() => {});
      },
    });
    const received = nextPacketEvent(l.events, (e) => e.direction === 'received');
    await l.client.send(request('ok', { identifier: 9 }), l.address);
    await received;
    assert.equal(ctx?.end.aborted, false);
    await l.client.exchange(request('bad', { identifier: 9 }), l.address);
    assert.ok(ctx);
    assert.deepEqual(told, ['a', 'b'], 'in the order added; a removed listener is not told');
    assert.equal(ctx.end.aborted, true);
    ctx.end.addEventListener('abort', () => told.push('late'));
    assert.deepEqual(told, ['a', 'b'], 'a listener added after the end is never told (as with an AbortSignal)');
    assert.equal((ctx.signal.reason as { code?: string }).code, 'RADIUS_REQUEST_SUPERSEDED');
  });

  it('asks for a large receive buffer by default and reports what the OS granted', async () => {
    const l = await lab();
    // Linux doubles the request and caps it at net.core.rmem_max; either way it is well above the ~208 KiB default.
    assert.ok(l.server.receiveBufferBytes > 212_992, `granted ${l.server.receiveBufferBytes}`);
    const small = new RadiusServer({
      clock: l.clock,
      events: new PacketEvents(),
      port: 0,
      clients: [{ name: 'c', address: '127.0.0.1', secret: SECRET }],
      handler: async () => null,
      receiveBufferBytes: 0,
    });
    await small.listen();
    cleanups.push(() => small.close());
    assert.ok(small.receiveBufferBytes > 0 && small.receiveBufferBytes <= 212_992 * 2, `OS default kept: ${small.receiveBufferBytes}`);
  });

  it('drops and counts malformed datagrams and keeps working', async () => {
    const l = await lab();
    const valid = request('ok');
    const badLength = Buffer.from(valid);
    badLength.writeUInt16BE(valid.length + 10, 2);
    const overflow = Buffer.concat([valid, Buffer.from([18, 40, 1])]);
    overflow.writeUInt16BE(overflow.length, 2);
    for (const bytes of [Buffer.from([1, 2, 3, 4, 5]), badLength, overflow, Buffer.alloc(0)]) {
      const drop = dropped(l, 'malformed');
      await l.client.send(bytes, l.address);
      await drop;
    }
    assert.equal(l.events.dropped('malformed'), 4);
    assert.deepEqual(
      l.log.filter((e) => e.reason === 'malformed').map((e) => e.detail),
      ['RADIUS_TOO_SHORT', 'RADIUS_LENGTH_EXCEEDS_DATAGRAM', 'RADIUS_ATTRIBUTE_OVERFLOW', 'RADIUS_TOO_SHORT'],
    );
    assert.equal(decodeOk(await l.client.exchange(valid, l.address)).code, RadiusCode.AccessAccept);
  });

  it('answers Status-Server (with MA) itself and drops one without MA even for a lax client', async () => {
    const l = await lab({ clients: [{ name: 'lax', address: '127.0.0.1', secret: SECRET, requireMessageAuthenticator: false }] });
    const status = encodeStatusServer(50, SECRET);
    const reply = await l.client.exchange(status, l.address);
    assert.equal(decodeOk(reply).code, RadiusCode.AccessAccept);
    assert.equal(verifyMessageAuthenticator(reply, SECRET, authenticatorOf(status)), 'valid');
    assert.equal(l.calls.count, 0);

    const noMa = Buffer.from(status.subarray(0, 20));
    noMa.writeUInt16BE(20, 2);
    const drop = dropped(l, 'missing-message-authenticator');
    await l.client.send(noMa, l.address);
    await drop;
  });

  it('drops codes an authentication port does not serve', async () => {
    const l = await lab();
    const acct = encodeRequest({ code: RadiusCode.AccountingRequest, identifier: 1, attributes: [attr.integer('Acct-Status-Type', 1)] }, SECRET);
    const drop = dropped(l, 'unsupported-code');
    await l.client.send(acct, l.address);
    assert.equal((await drop).code, RadiusCode.AccountingRequest);
  });

  it('stays silent when the handler returns null, also for retransmissions', async () => {
    const l = await lab({
      handler: (calls) => async () => {
        calls.count++;
        return null;
      },
    });
    const req = request('ok', { identifier: 21 });
    let drop = dropped(l, 'handler-no-reply');
    await l.client.send(req, l.address);
    await drop;
    drop = dropped(l, 'duplicate-no-reply');
    await l.client.send(req, l.address);
    await drop;
    assert.equal(l.calls.count, 1);
    assert.equal(l.client.pending, 0);
  });

  it('a failing handler is counted and a retransmission is processed again', async () => {
    const l = await lab({
      handler: (calls) => async () => {
        calls.count++;
        if (calls.count === 1) throw new Error('boom');
        return { code: RadiusCode.AccessReject };
      },
    });
    const req = request('ok', { identifier: 22 });
    const drop = dropped(l, 'handler-error');
    await l.client.send(req, l.address);
    await drop;
    assert.equal(decodeOk(await l.client.exchange(req, l.address)).code, RadiusCode.AccessReject);
    assert.equal(l.calls.count, 2);
  });

  it('close() aborts in-flight handlers and clears cache timers', async () => {
    let seen: AbortSignal | undefined;
    const l = await lab({
      handler: () => (req) => {
        seen = req.signal;
        return new Promise<RadiusReply>((resolve) => {
          req.signal.addEventListener('abort', () => resolve({ code: RadiusCode.AccessReject }));
        });
      },
    });
    for (const id of [1, 2]) {
      const received = nextPacketEvent(l.events, (e) => e.direction === 'received');
      await l.client.send(request('x', { identifier: id }), l.address);
      await received;
    }
    assert.equal(l.server.inFlight, 2);
    const closedDrop = dropped(l, 'closed');
    await l.server.close();
    assert.equal(seen?.aborted, true);
    await closedDrop;
    await l.server.whenIdle();
    assert.equal(l.clock.pendingTimers, 0);
  });

  it('close({ drain: true }) waits for in-flight handlers and still sends their replies', async () => {
    let release: (() => void) | undefined;
    const l = await lab({
      handler: () => () =>
        new Promise<RadiusReply>((resolve) => {
          release = () => resolve({ code: RadiusCode.AccessAccept });
        }),
    });
    const received = nextPacketEvent(l.events, (e) => e.direction === 'received');
    const reply = l.client.receive();
    await l.client.send(request('x', { identifier: 7 }), l.address);
    await received;
    const closed = l.server.close({ drain: true });
    release?.();
    await closed;
    const answer = decodePacket(await reply);
    assert.ok(answer.ok);
    assert.equal(answer.packet.code, RadiusCode.AccessAccept);
    assert.equal(answer.packet.identifier, 7);
    assert.equal(l.events.dropped('closed'), 0);
  });

  it('works over IPv6 loopback', async () => {
    const l = await lab({ host: '::1' });
    const reply = decodeOk(await l.client.exchange(request('ok'), l.address));
    assert.equal(reply.code, RadiusCode.AccessAccept);
  });

  it('refuses bad configuration with coded errors', () => {
    const base = { clock: new VirtualClock(), events: new PacketEvents(), handler: async () => null };
    assert.throws(() => new RadiusServer({ ...base, clients: [{ name: 'x', address: '10.0.0.300', secret: 's' }] }), {
      code: 'CONFIG_BAD_CLIENT_ADDRESS',
    });
    assert.throws(() => new RadiusServer({ ...base, clients: [{ name: 'x', address: '10.0.0.1', secret: '' }] }), {
      code: 'CONFIG_EMPTY_SECRET',
    });
    assert.throws(() => new RadiusServer({ ...base, port: 70000, clients: [] }), { code: 'CONFIG_BAD_PORT' });
    assert.throws(() => new RadiusServer({ ...base, receiveBufferBytes: -1, clients: [] }), { code: 'CONFIG_BAD_RECEIVE_BUFFER' });
  });
});
