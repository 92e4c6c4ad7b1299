// Tests that kill mutants StrykerJS found alive in radius-server.ts (npm run
// mutation -- transport, MUTATION.md): configuration edges, the server's life
// cycle (listen twice, a port in use, close and listen again), what a handler
// learns about a request, and the exact packet events and drop details an
// operator reads in a trace. Real UDP on loopback throughout; where the OS
// cannot be made to fail on demand (a socket error after binding, a send the
// OS refuses, a send still in the kernel) the server's own socket is caught at
// bind time and that one call is replaced on it, nothing else.
import assert from 'node:assert/strict';
import { createSocket, Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { CodedError } from '../errors.ts';
import type { Endpoint, PacketEvent } from '../packet-events.ts';
import { PacketEvents } from '../packet-events.ts';
import { RadiusCode } from '../radius/codes.ts';
import { decodePacket, encodeRequest, encodeStatusServer } from '../radius/codec.ts';
import { AttributeType } from '../radius/dictionary.ts';
import { attr, getAll, type RadiusAttribute } from '../radius/packet.ts';
import {
  type RadiusClientConfig,
  type RadiusHandler,
  type RadiusReply,
  type RadiusRequestContext,
  RadiusServer,
  type RadiusServerOptions,
} from './radius-server.ts';
import { nextPacketEvent, UdpTestClient } from './udp-test-client.ts';

const SECRET = 'loopback-secret';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Lab {
  clock: VirtualClock;
  events: PacketEvents;
  server: RadiusServer;
  address: Endpoint;
  client: UdpTestClient;
  log: PacketEvent[];
  /** The server's own UDP socket (caught when it was bound). */
  socket: Socket;
}

/**
 * Runs `listen` and returns the socket the server bound during it; `prepare`
 * may replace a method on that socket before its bind completes.
 */
async function catchSocket<T>(listen: () => Promise<T>, prepare: (s: Socket) => void = () => {}): Promise<{ result: T; socket: Socket }> {
  const bind = Socket.prototype.bind;
  let caught: Socket | undefined;
  Socket.prototype.bind = function (this: Socket, ...args: unknown[]) {
    if (!caught) {
      caught = this;
      prepare(this);
    }
    return (bind as (...a: unknown[]) => Socket).apply(this, args);
  } as Socket['bind'];
  try {
    const result = await listen();
    assert.ok(caught, 'listen() bound a socket');
    return { result, socket: caught };
  } finally {
    Socket.prototype.bind = bind;
  }
}

async function lab(
  options: Partial<Omit<RadiusServerOptions, 'clock' | 'events' | 'handler'>> & {
    handler?: RadiusHandler;
    prepare?: (s: Socket) => void;
  } = {},
): Promise<Lab> {
  const clock = new VirtualClock();
  const events = new PacketEvents();
  const log: PacketEvent[] = [];
  events.on('packet', (e) => log.push(e));
  const { prepare, handler, ...rest } = options;
  const server = new RadiusServer({
    clock,
    events,
    host: '127.0.0.1',
    port: 0,
    clients: [{ name: 'connector', address: '127.0.0.0/8', secret: SECRET }],
    handler: handler ?? (async () => ({ code: RadiusCode.AccessAccept })),
    ...rest,
  });
  const { result: address, socket } = await catchSocket(() => server.listen(), prepare);
  const client = await UdpTestClient.open('127.0.0.1');
  cleanups.push(async () => {
    await client.close();
    await server.close();
  });
  return { clock, events, server, address, client, log, socket };
}

function request(
  extra: { identifier?: number; password?: string; ma?: 'first' | 'none'; attributes?: RadiusAttribute[]; secret?: string } = {},
): Buffer {
  return encodeRequest(
    {
      code: RadiusCode.AccessRequest,
      identifier: extra.identifier ?? 1,
      attributes: [attr.text('User-Name', 'alice'), ...(extra.attributes ?? [])],
      ...(extra.password === undefined ? {} : { userPassword: extra.password }),
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

/** A promise and the function that settles it, for handlers a test releases by hand. */
function gate<T>(): { promise: Promise<T>; open: (v: T) => void } {
  let open: (v: T) => void = () => {};
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** The CodedError `fn` throws. */
function thrown(fn: () => unknown): CodedError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  assert.fail('nothing was thrown');
}

describe('RadiusServer configuration: edges found by mutation testing', () => {
  const base = { clock: new VirtualClock(), events: new PacketEvents(), handler: async () => null, clients: [] };

  it('duplicateTtlMs must be a finite number >= 0 (0 is allowed)', () => {
    for (const duplicateTtlMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = thrown(() => new RadiusServer({ ...base, duplicateTtlMs }));
      assert.equal(e.code, 'CONFIG_BAD_DUPLICATE_TTL', String(duplicateTtlMs));
      assert.equal(e.message, `duplicateTtlMs must be a number >= 0, got ${duplicateTtlMs}`);
    }
    assert.doesNotThrow(() => new RadiusServer({ ...base, duplicateTtlMs: 0 }));
  });

  it('port must be a whole number 0..65535 (both ends allowed)', () => {
    for (const port of [-1, 65536, 1.5, Number.NaN]) {
      const e = thrown(() => new RadiusServer({ ...base, port }));
      assert.equal(e.code, 'CONFIG_BAD_PORT', String(port));
      assert.equal(e.message, `port must be 0..65535 (0 = any free port), got ${port}`);
    }
    for (const port of [0, 65535]) assert.doesNotThrow(() => new RadiusServer({ ...base, port }), String(port));
  });

  it('a bad receive buffer or an empty secret is refused with a message that says what to do', () => {
    const buffer = thrown(() => new RadiusServer({ ...base, receiveBufferBytes: 1.5 }));
    assert.equal(buffer.code, 'CONFIG_BAD_RECEIVE_BUFFER');
    assert.equal(buffer.message, 'receiveBufferBytes must be a whole number of bytes >= 0 (0 = OS default), got 1.5');
    const secret = thrown(() => new RadiusServer({ ...base, clients: [{ name: 'vpn-a', address: '10.0.0.1', secret: '' }] }));
    assert.equal(secret.code, 'CONFIG_EMPTY_SECRET');
    assert.equal(secret.message, "client 'vpn-a' has an empty shared secret; RFC 2865 forbids that — set one");
  });
});

describe('RadiusServer life cycle: edges found by mutation testing', () => {
  it('listens on 127.0.0.1 when no host is given; address is only known after listen()', async () => {
    const server = new RadiusServer({ clock: new VirtualClock(), events: new PacketEvents(), port: 0, clients: [], handler: async () => null });
    const e = thrown(() => server.address);
    assert.equal(e.code, 'RADIUS_SERVER_NOT_LISTENING');
    assert.equal(e.message, 'call listen() first');
    const bound = await server.listen();
    cleanups.push(() => server.close());
    assert.equal(bound.address, '127.0.0.1');
    assert.ok(bound.port > 0);
    assert.deepEqual(server.address, bound);
  });

  it('listen() twice is refused and the first socket keeps serving', async () => {
    const l = await lab();
    await assert.rejects(l.server.listen(), (e: CodedError) => {
      assert.equal(e.code, 'RADIUS_SERVER_ALREADY_LISTENING');
      assert.equal(e.message, 'listen() was already called');
      return true;
    });
    assert.equal(decodeOk(await l.client.exchange(request(), l.address)).code, RadiusCode.AccessAccept);
  });

  it('a port already in use is RADIUS_LISTEN_FAILED, naming the address and what to do', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => holder.close(() => resolve())));
    const port = holder.address().port;
    const server = new RadiusServer({ clock: new VirtualClock(), events: new PacketEvents(), host: '127.0.0.1', port, clients: [], handler: async () => null });
    await assert.rejects(server.listen(), (e: CodedError) => {
      assert.equal(e.code, 'RADIUS_LISTEN_FAILED');
      assert.match(e.message, new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.* — pick another port or free this one$`));
      assert.deepEqual(e.details, { host: '127.0.0.1', port });
      assert.equal((e.cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
      return true;
    });
  });

  it('a socket error after binding (e.g. an ICMP error on some OSes) neither crashes nor stops the server', async () => {
    const l = await lab();
    l.socket.emit('error', Object.assign(new Error('connect ECONNREFUSED (simulated ICMP port unreachable)'), { code: 'ECONNREFUSED' }));
    assert.equal(decodeOk(await l.client.exchange(request(), l.address)).code, RadiusCode.AccessAccept);
    assert.equal(l.events.dropped('closed'), 0);
  });

  it('receiveBufferBytes: 0 keeps exactly the OS default receive buffer', async () => {
    const plain = createSocket('udp4');
    await new Promise<void>((resolve) => plain.bind(0, '127.0.0.1', resolve));
    const osDefault = plain.getRecvBufferSize();
    await new Promise<void>((resolve) => plain.close(() => resolve()));
    const l = await lab({ receiveBufferBytes: 0 });
    assert.equal(l.server.receiveBufferBytes, osDefault);
  });

  it('close() frees the port and clears the duplicate cache timer; the server can listen again and serve', async () => {
    const l = await lab();
    const req = request({ identifier: 40 });
    await l.client.exchange(req, l.address);
    assert.equal(l.clock.pendingTimers, 1, 'the answered request waits for its expiry');
    assert.ok(l.server.receiveBufferBytes > 0);
    await l.server.close();
    assert.equal(l.clock.pendingTimers, 0, 'close() leaves no timer on the injected clock');
    // The port is free: another socket can take it.
    const taker = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      taker.once('error', reject);
      taker.bind(l.address.port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => taker.close(() => resolve()));

    // Listening again: a new socket (here one whose OS cannot report its buffer size), the cache starts empty and works.
    const again = await catchSocket(
      () => l.server.listen(),
      (s) => {
        s.getRecvBufferSize = () => {
          throw new Error('ENOTSUP (simulated)');
        };
      },
    );
    assert.equal(l.server.receiveBufferBytes, 0, 'unknown on this socket, not the previous socket’s size');
    assert.deepEqual(l.server.address, again.result);
    const first = await l.client.exchange(req, again.result);
    const second = await l.client.exchange(req, again.result);
    assert.deepEqual(second, first);
    assert.equal(l.server.stats.duplicatesAnswered, 1);
    assert.equal(l.server.stats.cacheSize, 1);
    await l.clock.advance(30_000);
    assert.equal(l.server.stats.cacheSize, 0);
  });

  it('close() aborts a running handler with RADIUS_SERVER_CLOSED, saying the server is closing', async () => {
    const reasons: unknown[] = [];
    const l = await lab({
      handler: (req) =>
        new Promise<RadiusReply>((resolve) => {
          req.signal.addEventListener('abort', () => {
            reasons.push(req.signal.reason);
            resolve({ code: RadiusCode.AccessReject });
          });
        }),
    });
    const received = nextPacketEvent(l.events, (e) => e.direction === 'received');
    await l.client.send(request(), l.address);
    await received;
    await l.server.close();
    await l.server.whenIdle();
    const reason = reasons[0] as CodedError;
    assert.equal(reason.code, 'RADIUS_SERVER_CLOSED');
    assert.equal(reason.message, 'the RADIUS server is closing');
  });

  it('while close() waits for a reply still in the kernel, a new datagram is ignored (no event, no handler call)', async () => {
    const held: Array<() => void> = [];
    let calls = 0;
    const l = await lab({
      handler: async () => {
        calls++;
        return { code: RadiusCode.AccessAccept };
      },
      prepare: (s) => {
        const send = s.send;
        // The server's replies leave, but their callbacks wait until the test lets them.
        s.send = function (this: Socket, ...args: unknown[]) {
          const cb = args.at(-1) as (err: Error | null, bytes: number) => void;
          return (send as (...a: unknown[]) => void).apply(this, [...args.slice(0, -1), (err: Error | null, n: number) => held.push(() => cb(err, n))]);
        } as Socket['send'];
      },
    });
    await l.client.exchange(request({ identifier: 1 }), l.address);
    while (held.length === 0) await tick();
    let closed = false;
    const closing = l.server.close().then(() => {
      closed = true;
    });
    await tick();
    assert.equal(closed, false, 'close() waits for the reply handed to the socket');
    const eventsBefore = l.log.length;
    const arrived = once(l.socket, 'message');
    await l.client.send(request({ identifier: 2 }), l.address);
    await arrived;
    await tick();
    assert.equal(l.log.length, eventsBefore, 'no event for a datagram that arrives while closing');
    assert.equal(calls, 1);
    for (const release of held.splice(0)) release();
    await closing;
    assert.equal(closed, true);
  });
});

describe('RadiusServer events and handler context: edges found by mutation testing', () => {
  it('a request and its reply are exactly one received and one sent event, with no reason or detail', async () => {
    const l = await lab({ observer: 'nas-facing' });
    const req = request({ identifier: 7 });
    const reply = await l.client.exchange(req, l.address);
    const common = { observer: 'nas-facing', at: l.clock.now(), local: l.address, remote: l.client.local, identifier: 7 };
    assert.deepEqual(l.log, [
      { direction: 'received', ...common, bytes: req, code: RadiusCode.AccessRequest },
      { direction: 'sent', ...common, bytes: reply, code: RadiusCode.AccessAccept },
    ]);
  });

  it('Status-Server is one received and one sent event (no drop) and never reaches the handler', async () => {
    let calls = 0;
    const l = await lab({
      handler: async () => {
        calls++;
        return null;
      },
    });
    const reply = await l.client.exchange(encodeStatusServer(60, SECRET), l.address);
    assert.equal(decodeOk(reply).code, RadiusCode.AccessAccept);
    assert.deepEqual(
      l.log.map((e) => [e.direction, e.code]),
      [
        ['received', RadiusCode.StatusServer],
        ['sent', RadiusCode.AccessAccept],
      ],
    );
    assert.deepEqual(l.server.stats.dropped, {});
    assert.equal(l.server.stats.received, 1);
    assert.equal(l.server.stats.handled, 0);
    assert.equal(calls, 0);
  });

  it('each drop says why in its detail: the address, the client, the code', async () => {
    const cases: Array<{ clients?: RadiusClientConfig[]; bytes: () => Buffer; reason: string; detail: string }> = [
      {
        clients: [{ name: 'elsewhere', address: '192.0.2.0/24', secret: SECRET }],
        bytes: () => request(),
        reason: 'unknown-client',
        detail: 'no client configured for 127.0.0.1',
      },
      {
        bytes: () => encodeRequest({ code: RadiusCode.AccountingRequest, identifier: 1, attributes: [attr.integer('Acct-Status-Type', 1)] }, SECRET),
        reason: 'unsupported-code',
        detail: `code ${RadiusCode.AccountingRequest} is not served on an authentication port`,
      },
      { bytes: () => request({ secret: 'wrong' }), reason: 'bad-message-authenticator', detail: "from client 'connector' (wrong secret or tampered)" },
      { bytes: () => request({ ma: 'none' }), reason: 'missing-message-authenticator', detail: "client 'connector' requires it" },
      {
        bytes: () => {
          const status = encodeStatusServer(61, SECRET).subarray(0, 20);
          const noMa = Buffer.from(status);
          noMa.writeUInt16BE(20, 2);
          return noMa;
        },
        reason: 'missing-message-authenticator',
        detail: 'Status-Server requires Message-Authenticator (RFC 5997)',
      },
    ];
    for (const c of cases) {
      const l = await lab(c.clients ? { clients: c.clients } : {});
      const drop = dropped(l, c.reason);
      await l.client.send(c.bytes(), l.address);
      assert.equal((await drop).detail, c.detail, c.reason);
    }
  });

  it('retransmissions: in progress, answered from the cache (detail "duplicate"), answered with silence — each says so', async () => {
    const release = gate<RadiusReply | null>();
    let calls = 0;
    const l = await lab({
      handler: () => {
        calls++;
        return calls === 1 ? release.promise : Promise.resolve(null);
      },
    });
    const req = request({ identifier: 30 });
    const received = nextPacketEvent(l.events, (e) => e.direction === 'received');
    await l.client.send(req, l.address);
    await received;
    const inProgress = dropped(l, 'duplicate-in-progress');
    await l.client.send(req, l.address);
    assert.equal((await inProgress).detail, 'retransmission while the original is still being processed');
    const replyP = l.client.receive();
    release.open({ code: RadiusCode.AccessAccept });
    const reply = await replyP;

    const duplicate = nextPacketEvent(l.events, (e) => e.direction === 'received' && e.detail === 'duplicate');
    assert.deepEqual(await l.client.exchange(req, l.address), reply);
    const dup = await duplicate;
    assert.equal(dup.reason, undefined);
    assert.equal(dup.identifier, 30);

    const silent = request({ identifier: 31 });
    const noReply = dropped(l, 'handler-no-reply');
    await l.client.send(silent, l.address);
    assert.equal((await noReply).detail, 'the handler chose not to answer');
    const dupNoReply = dropped(l, 'duplicate-no-reply');
    await l.client.send(silent, l.address);
    assert.equal((await dupNoReply).detail, 'retransmission of a request answered with silence');
    assert.equal(calls, 2);
    assert.equal(l.server.stats.handled, 2, 'handler invocations, retransmissions not counted');
  });

  it('the handler learns the client (never its secret), both endpoints, the MA state, the arrival time and the raw request', async () => {
    const seen: RadiusRequestContext[] = [];
    const passwords: Array<Buffer | undefined> = [];
    const l = await lab({
      clients: [{ name: 'old-nas', address: '127.0.0.1', secret: SECRET, requireMessageAuthenticator: false }],
      handler: async (req) => {
        seen.push(req);
        passwords.push(req.userPassword());
        return { code: RadiusCode.AccessReject };
      },
    });
    await l.clock.advance(1234);
    const withMa = request({ identifier: 1, password: 'pw' });
    await l.client.exchange(withMa, l.address);
    const noPassword = request({ identifier: 2, ma: 'none' });
    await l.client.exchange(noPassword, l.address);
    const [a, b] = seen;
    assert.ok(a && b);
    assert.deepEqual(a.client, { name: 'old-nas', address: '127.0.0.1', requireMessageAuthenticator: false });
    assert.equal(Object.hasOwn(a.client, 'secret'), false);
    assert.deepEqual(a.local, l.address);
    assert.deepEqual(a.remote, l.client.local);
    assert.equal(a.messageAuthenticator, 'valid');
    assert.equal(b.messageAuthenticator, 'absent');
    assert.equal(a.receivedAt, l.clock.now());
    assert.deepEqual(Buffer.from(a.raw), withMa);
    assert.equal(passwords[0]?.toString(), 'pw');
    assert.equal(passwords[1], undefined, 'no User-Password: undefined, not a throw');
  });

  it('a failing handler is dropped as handler-error with its code, or "handler threw" for a plain error', async () => {
    const failures: unknown[] = [new CodedError('OKTA_DOWN', 'x'), new TypeError('oops')];
    const l = await lab({
      handler: async () => {
        throw failures.shift();
      },
    });
    const details: Array<string | undefined> = [];
    for (const identifier of [1, 2]) {
      const drop = dropped(l, 'handler-error');
      await l.client.send(request({ identifier }), l.address);
      details.push((await drop).detail);
    }
    assert.deepEqual(details, ['OKTA_DOWN', 'handler threw']);
    assert.equal(l.server.stats.sent, 0);
    assert.equal(l.events.dropped('handler-error'), 2);
  });

  it('a handler that throws before returning a promise is a handler-error too, and the server keeps serving', async () => {
    let calls = 0;
    const l = await lab({
      handler: (() => {
        calls++;
        if (calls === 1) throw new CodedError('SYNC_FAILURE', 'thrown, not rejected');
        return Promise.resolve({ code: RadiusCode.AccessAccept });
      }) as RadiusHandler,
    });
    const drop = dropped(l, 'handler-error');
    await l.client.send(request({ identifier: 1 }), l.address);
    assert.equal((await drop).detail, 'SYNC_FAILURE');
    await l.server.whenIdle();
    assert.equal(l.server.inFlight, 0);
    assert.equal(decodeOk(await l.client.exchange(request({ identifier: 1 }), l.address)).code, RadiusCode.AccessAccept);
  });

  it('a dropped datagram carries code and identifier when it has two octets, none when it has fewer', async () => {
    const l = await lab();
    const events: PacketEvent[] = [];
    for (const bytes of [Buffer.from([1, 77]), Buffer.from([1]), Buffer.alloc(0)]) {
      const drop = dropped(l, 'malformed');
      await l.client.send(bytes, l.address);
      events.push(await drop);
    }
    assert.deepEqual(
      events.map((e) => [Object.hasOwn(e, 'code'), e.code, Object.hasOwn(e, 'identifier'), e.identifier]),
      [
        [true, 1, true, 77],
        [false, undefined, false, undefined],
        [false, undefined, false, undefined],
      ],
    );
  });

  it('a reply that cannot be encoded is a handler-error (the codec’s code, or a plain failure) and the request is forgotten', async () => {
    const replies: RadiusReply[] = [
      // A Reply-Message longer than one attribute can hold.
      { code: RadiusCode.AccessAccept, attributes: [{ type: AttributeType.ReplyMessage, value: new Uint8Array(300) }] },
      // A JavaScript handler's mistake the types would have caught: an attribute without a value.
      { code: RadiusCode.AccessAccept, attributes: [{ type: AttributeType.ReplyMessage } as unknown as RadiusAttribute] },
      { code: RadiusCode.AccessReject },
    ];
    const l = await lab({ handler: async () => replies.shift() ?? null });
    const req = request({ identifier: 50 });
    let drop = dropped(l, 'handler-error');
    await l.client.send(req, l.address);
    assert.equal((await drop).detail, 'RADIUS_ATTRIBUTE_TOO_LONG');
    // The same request again is processed again (not "duplicate-no-reply"), and fails the other way.
    drop = dropped(l, 'handler-error');
    await l.client.send(req, l.address);
    assert.equal((await drop).detail, 'reply could not be encoded');
    assert.equal(decodeOk(await l.client.exchange(req, l.address)).code, RadiusCode.AccessReject);
    assert.equal(l.server.stats.handled, 3);
  });

  it('the handler’s own Proxy-State is ignored: the reply carries exactly the request’s, in order', async () => {
    const l = await lab({
      handler: async () => ({
        code: RadiusCode.AccessAccept,
        attributes: [attr.octets('Proxy-State', 'handler-made'), attr.text('Reply-Message', 'hi')],
      }),
    });
    const reply = decodeOk(await l.client.exchange(request({ attributes: [attr.octets('Proxy-State', 'from-nas')] }), l.address));
    assert.deepEqual(
      getAll(reply, 'Proxy-State').map((v) => Buffer.from(v).toString()),
      ['from-nas'],
    );
    const none = decodeOk(await l.client.exchange(request({ identifier: 2 }), l.address));
    assert.deepEqual(getAll(none, 'Proxy-State'), []);
  });

  it('a reply of nothing but the handler’s Proxy-State, to a request without one, carries none', async () => {
    const l = await lab({ handler: async () => ({ code: RadiusCode.AccessReject, attributes: [attr.octets('Proxy-State', 'handler-made')] }) });
    const reply = decodeOk(await l.client.exchange(request(), l.address));
    assert.equal(reply.code, RadiusCode.AccessReject);
    assert.deepEqual(
      reply.attributes.map((a) => a.type),
      [AttributeType.MessageAuthenticator],
    );
  });

  it('whenIdle() waits for every running handler, not the first to finish', async () => {
    const gates = [gate<RadiusReply>(), gate<RadiusReply>()];
    let n = 0;
    const l = await lab({ handler: () => gates[n++]!.promise });
    for (const identifier of [1, 2]) {
      const received = nextPacketEvent(l.events, (e) => e.direction === 'received' && e.identifier === identifier);
      await l.client.send(request({ identifier }), l.address);
      await received;
    }
    let idle = false;
    const whenIdle = l.server.whenIdle().then(() => {
      idle = true;
    });
    const firstReply = l.client.receive();
    gates[0]!.open({ code: RadiusCode.AccessAccept });
    await firstReply;
    await tick();
    assert.equal(idle, false, 'one handler still runs');
    assert.equal(l.server.inFlight, 1);
    const secondReply = l.client.receive();
    gates[1]!.open({ code: RadiusCode.AccessAccept });
    await secondReply;
    await whenIdle;
    assert.equal(l.server.inFlight, 0);
  });

  it('a superseded request whose handler then fails does not make the server forget the newer request', async () => {
    const newer = gate<RadiusReply>();
    let calls = 0;
    const l = await lab({
      handler: (req) => {
        calls++;
        if (calls === 1) {
          // The first request fails once it is superseded.
          return new Promise<RadiusReply>((_, reject) => req.signal.addEventListener('abort', () => reject(new CodedError('ABORTED', 'gone'))));
        }
        return newer.promise;
      },
    });
    const received = nextPacketEvent(l.events, (e) => e.direction === 'received');
    await l.client.send(request({ identifier: 9, password: 'first' }), l.address);
    await received;
    const second = request({ identifier: 9, password: 'second' });
    const failed = dropped(l, 'handler-error');
    await l.client.send(second, l.address);
    await failed;
    // The newer request is still being processed: its retransmission is not a new request.
    const inProgress = dropped(l, 'duplicate-in-progress');
    await l.client.send(second, l.address);
    await inProgress;
    assert.equal(calls, 2);
    const replyP = l.client.receive();
    newer.open({ code: RadiusCode.AccessAccept });
    assert.equal(decodeOk(await replyP).code, RadiusCode.AccessAccept);
  });

  it('a superseded request answered with silence after the newer one finished leaves the newer one to expire as usual', async () => {
    const newerAnswered = gate<void>();
    let calls = 0;
    const l = await lab({
      duplicateTtlMs: 30_000,
      handler: (req) => {
        calls++;
        if (calls === 1) {
          // The first request answers with silence once superseded and once the newer one is answered.
          return new Promise<RadiusReply | null>((resolve) => req.signal.addEventListener('abort', () => void newerAnswered.promise.then(() => resolve(null))));
        }
        return Promise.resolve({ code: RadiusCode.AccessAccept });
      },
    });
    const received = nextPacketEvent(l.events, (e) => e.direction === 'received');
    await l.client.send(request({ identifier: 9, password: 'first' }), l.address);
    await received;
    const second = request({ identifier: 9, password: 'second' });
    await l.client.exchange(second, l.address);
    const silent = dropped(l, 'handler-no-reply');
    newerAnswered.open();
    await silent;
    await l.server.whenIdle();
    assert.equal(l.server.stats.cacheSize, 1);
    await l.clock.advance(30_000);
    assert.equal(l.server.stats.cacheSize, 0, 'the newer request expired after the TTL');
    // Its retransmission now is a new request, not a duplicate.
    await l.client.exchange(second, l.address);
    assert.equal(calls, 3);
    assert.equal(l.server.stats.duplicatesAnswered, 0);
  });

  it('a reply the OS refuses to send is dropped as send-failed with the OS’s message', async () => {
    const l = await lab({
      prepare: (s) => {
        s.send = ((...args: unknown[]) => {
          const cb = args.at(-1) as (err: Error | null) => void;
          queueMicrotask(() => cb(new Error('send EPERM (simulated)')));
        }) as Socket['send'];
      },
    });
    const failed = dropped(l, 'send-failed');
    await l.client.send(request(), l.address);
    const e = await failed;
    assert.equal(e.detail, 'send EPERM (simulated)');
    assert.equal(e.code, RadiusCode.AccessAccept, 'the event carries the reply that did not leave');
    assert.equal(l.server.stats.sent, 1);
    assert.equal(l.server.stats.dropped['send-failed'], 1);
    await l.server.close();
  });
});
