import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import type { AbortLike } from '../abort-like.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { CodedError } from '../errors.ts';
import type { Endpoint, PacketEvent, PacketEvents } from '../packet-events.ts';
import { RadiusCode } from '../radius/codes.ts';
import { decodePacketView, encodeResponse, type RadiusReplyInit, verifyDecodedMessageAuthenticator } from '../radius/codec.ts';
import { type Secret, secretBytes } from '../radius/crypto.ts';
import { AttributeType } from '../radius/dictionary.ts';
import type { RadiusAttribute, RadiusPacket } from '../radius/packet.ts';
import { unhideUserPassword } from '../radius/user-password.ts';
import { ClientTable } from './client-table.ts';

/**
 * UDP transport of a RADIUS authentication server. It owns the socket, the
 * client table, Message-Authenticator policy, the RFC 5080 §2.2.2 duplicate
 * cache and packet events; what to answer is the handler's business.
 *
 * Events: each arriving datagram is exactly one event — 'received' if it is
 * processed (or answered from the duplicate cache, detail 'duplicate') or
 * 'dropped' with a reason. Each reply written is a 'sent' event. A reply that
 * is not written (handler silence or failure, superseded, server closed) is an
 * additional 'dropped' event, so traces show why a request went unanswered.
 *
 * Drop reasons (stable): malformed, unknown-client, bad-message-authenticator,
 * missing-message-authenticator, unsupported-code, duplicate-in-progress,
 * duplicate-no-reply, handler-no-reply, handler-error, superseded, closed,
 * send-failed.
 */

export interface RadiusClientConfig {
  /** Shown in events and logs. */
  name: string;
  /** Exact IP or CIDR block (IPv4 or IPv6). */
  address: string;
  secret: Secret;
  /** Drop Access-Requests without Message-Authenticator (BlastRADIUS). Default true. */
  requireMessageAuthenticator?: boolean;
}

/** What a handler may learn about the client (never the secret). */
export interface RadiusClientInfo {
  readonly name: string;
  readonly address: string;
  readonly requireMessageAuthenticator: boolean;
}

export interface RadiusRequestContext {
  readonly packet: RadiusPacket;
  /** The request as received, up to its Length. */
  readonly raw: Uint8Array;
  readonly client: RadiusClientInfo;
  readonly remote: Endpoint;
  readonly local: Endpoint;
  /** 'valid' or 'absent' (an invalid one never reaches the handler). */
  readonly messageAuthenticator: 'valid' | 'absent';
  /** Clock time of arrival. */
  readonly receivedAt: number;
  /**
   * The clear User-Password (unhidden on each call, not kept: a request waiting on a push
   * holds no clear password), undefined without one.
   * Throws CodedError RADIUS_BAD_USER_PASSWORD_LENGTH if the attribute is malformed.
   * Never log it.
   */
  userPassword(): Buffer | undefined;
  /** Aborted when the server closes or a new request supersedes this one. */
  readonly signal: AbortSignal;
  /**
   * The same end as `signal`, told to listeners without an AbortController: for a
   * caller that only listens (the agent's engine), so a request waiting on a push
   * holds no controller, signal or event map for it.
   */
  readonly end: AbortLike;
}

export interface RadiusReply {
  code: RadiusReplyInit['code'];
  /** In order. Proxy-State is added by the transport (copied from the request); Message-Authenticator too. */
  attributes?: readonly RadiusAttribute[];
}

/**
 * null = send nothing (the request is remembered as answered with silence). A handler that
 * knows its answer at once may return it directly: it is sent before the datagram's event
 * handler returns, without the promises an async answer costs (the agent's hygiene path).
 */
export type RadiusHandler = (request: RadiusRequestContext) => Promise<RadiusReply | null> | RadiusReply | null;

export interface RadiusServerOptions {
  clock: Clock;
  events: PacketEvents;
  /** Observer name in events. Default 'agent'. */
  observer?: string;
  /** Default '127.0.0.1'. An IPv6 address (e.g. '::1', '::') opens a udp6 socket. */
  host?: string;
  /** 0 = ephemeral. Default 1812. */
  port?: number;
  clients: readonly RadiusClientConfig[];
  handler: RadiusHandler;
  /** How long an answered request is remembered for retransmissions. Default 30 000 ms. */
  duplicateTtlMs?: number;
  /**
   * SO_RCVBUF asked for the socket (bytes). Default 4 MiB, so an unpaced burst of
   * ~1,000 requests waits in the kernel instead of being dropped (Linux's default
   * is ~208 KiB, ~250 small datagrams). Linux caps it at net.core.rmem_max; the
   * size granted is `receiveBufferBytes` after listen(). 0 keeps the OS default.
   */
  receiveBufferBytes?: number;
}

/** Default SO_RCVBUF request (see RadiusServerOptions.receiveBufferBytes). */
export const DEFAULT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * The reason a superseded request's signal carries. One instance for all: it is
 * a fact, not a failure to trace, and building an Error with a stack per reused
 * identifier cost ~4% of the hygiene path.
 */
const SUPERSEDED = Object.freeze(new CodedError('RADIUS_REQUEST_SUPERSEDED', 'a new request reused this identifier'));

export interface RadiusServerStats {
  received: number;
  sent: number;
  dropped: Record<string, number>;
  /** Handler invocations started. */
  handled: number;
  /** Retransmissions answered from the cache. */
  duplicatesAnswered: number;
  inFlight: number;
  cacheSize: number;
}

/**
 * One remembered request. A class, not an object literal: entries live until the next
 * request with their source port and identifier (~2,048 requests later under load), long
 * enough for V8 to see most literal-made entries survive a young-generation GC and then
 * make every later one directly in the old generation ("allocation-site pretenuring"), where
 * each dead entry kept its authenticator and reply alive until a full GC. Objects made by
 * a constructor are never pretenured that way (agent process, hygiene path: scavenges of
 * 15-60 ms promoting ~13 MB each before; bench/README.md).
 */
class CacheEntry {
  /** Where it came from: its address and the key of #cache's inner map (source port × 256 + identifier). */
  readonly address: string;
  readonly slot: number;
  /** The request's 16-octet Request Authenticator as a latin1 string (no buffer kept alive per entry). */
  readonly authenticator: string;
  state: 'processing' | 'done' = 'processing';
  /** Encoded reply; undefined when the handler chose silence. */
  reply: Buffer | undefined = undefined;
  /** Clock time the entry expires (set when done). */
  expiresAt = 0;
  /** While processing; let go when done, so a remembered answer holds no request. */
  request: RequestContext | undefined;

  constructor(address: string, slot: number, authenticator: string, request: RequestContext) {
    this.address = address;
    this.slot = slot;
    this.authenticator = authenticator;
    this.request = request;
  }
}

interface ResolvedClient extends RadiusClientInfo {
  /** As bytes once, not converted per packet. */
  readonly secret: Buffer;
  /** What handlers see (one frozen object per client rather than a copy per request). */
  readonly info: RadiusClientInfo;
}

/** Source addresses remembered with their client (or none); cleared when full. A datagram's source is a string that repeats. */
const MAX_REMEMBERED_SOURCES = 4096;



export class RadiusServer {
  readonly #clock: Clock;
  readonly #events: PacketEvents;
  readonly #observer: string;
  readonly #host: string;
  readonly #port: number;
  readonly #handler: RadiusHandler;
  readonly #ttl: number;
  readonly #clients: ClientTable<ResolvedClient>;
  /** source address → its client (null: none), so the table is searched once per address, not per datagram. */
  readonly #clientOf = new Map<string, ResolvedClient | null>();
  /**
   * The duplicate cache: source address → (source port × 256 + identifier) → entry. Numeric
   * inner keys: no key string is built and hashed per datagram.
   */
  readonly #cache = new Map<string, Map<number, CacheEntry>>();
  /** Entries in #cache (all sources). */
  #cacheSize = 0;
  /**
   * The done entries of #cache in the order they finished — a Set keeps
   * insertion order, and one TTL for all makes that the expiry order — served by
   * one timer for the head. A request that supersedes a done entry removes it
   * here at once, so at most one entry per source port and identifier is kept
   * (a queue of every finished request kept each one, with its AbortSignal, for
   * the whole TTL: most of the garbage collector's work on the hygiene path).
   */
  readonly #done = new Set<CacheEntry>();
  #expiryTimer: TimerHandle | undefined;
  readonly #receiveBufferBytes: number;
  #grantedReceiveBuffer = 0;
  /** Handlers started and not yet settled (a count: the promises themselves are not needed). */
  #inFlight = 0;
  readonly #idleWaiters: Array<() => void> = [];
  /** Datagrams handed to the socket whose send callback has not fired yet. */
  #sending = 0;
  readonly #sentWaiters: Array<() => void> = [];
  readonly #dropped = new Map<string, number>();
  #received = 0;
  #sent = 0;
  #handled = 0;
  #duplicatesAnswered = 0;
  #socket: Socket | undefined;
  #local: Endpoint | undefined;
  #closing = false;

  /** Throws CodedError CONFIG_* for bad client entries or options. */
  constructor(options: RadiusServerOptions) {
    this.#clock = options.clock;
    this.#events = options.events;
    this.#observer = options.observer ?? 'agent';
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 1812;
    this.#handler = options.handler;
    this.#ttl = options.duplicateTtlMs ?? 30_000;
    this.#receiveBufferBytes = options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES;
    if (!Number.isInteger(this.#receiveBufferBytes) || this.#receiveBufferBytes < 0) {
      throw new CodedError('CONFIG_BAD_RECEIVE_BUFFER', `receiveBufferBytes must be a whole number of bytes >= 0 (0 = OS default), got ${this.#receiveBufferBytes}`);
    }
    if (!Number.isFinite(this.#ttl) || this.#ttl < 0) {
      throw new CodedError('CONFIG_BAD_DUPLICATE_TTL', `duplicateTtlMs must be a number >= 0, got ${this.#ttl}`);
    }
    if (!Number.isInteger(this.#port) || this.#port < 0 || this.#port > 65535) {
      throw new CodedError('CONFIG_BAD_PORT', `port must be 0..65535 (0 = any free port), got ${this.#port}`);
    }
    for (const c of options.clients) {
      if (c.secret.length === 0) {
        throw new CodedError('CONFIG_EMPTY_SECRET', `client '${c.name}' has an empty shared secret; RFC 2865 forbids that — set one`);
      }
    }
    this.#clients = new ClientTable<ResolvedClient>(
      options.clients.map((c) => {
        const requireMessageAuthenticator = c.requireMessageAuthenticator ?? true;
        return {
          name: c.name,
          address: c.address,
          secret: secretBytes(c.secret),
          requireMessageAuthenticator,
          info: Object.freeze({ name: c.name, address: c.address, requireMessageAuthenticator }),
        };
      }),
    );
  }

  /** Bind the socket; resolves with the bound address (the real port when port was 0). */
  listen(): Promise<Endpoint> {
    if (this.#socket) return Promise.reject(new CodedError('RADIUS_SERVER_ALREADY_LISTENING', 'listen() was already called'));
    const type = isIP(this.#host) === 6 ? 'udp6' : 'udp4';
    // Replies go to the datagram's source, an address literal: looked up synchronously (dns.lookup
    // answers a literal through process.nextTick, one more callback per reply).
    const socket = createSocket({ type, lookup: literalLookup });
    this.#socket = socket;
    socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.#socket = undefined;
        reject(
          new CodedError(
            'RADIUS_LISTEN_FAILED',
            `cannot listen on ${this.#host}:${this.#port}: ${err.message} — pick another port or free this one`,
            { host: this.#host, port: this.#port },
            { cause: err },
          ),
        );
      };
      socket.once('error', onError);
      socket.bind(this.#port, this.#host, () => {
        socket.off('error', onError);
        // Later socket errors (e.g. ICMP unreachable on some OSes) must not crash the process.
        socket.on('error', () => {});
        if (this.#receiveBufferBytes > 0) {
          try {
            socket.setRecvBufferSize(this.#receiveBufferBytes);
          } catch {
            // The OS refused the size; the default stays (receiveBufferBytes tells which).
          }
        }
        try {
          this.#grantedReceiveBuffer = socket.getRecvBufferSize();
        } catch {
          this.#grantedReceiveBuffer = 0;
        }
        const a = socket.address();
        this.#local = { address: a.address, port: a.port };
        resolve(this.#local);
      });
    });
  }

  /** The bound address; throws if not listening. */
  get address(): Endpoint {
    if (!this.#local) throw new CodedError('RADIUS_SERVER_NOT_LISTENING', 'call listen() first');
    return this.#local;
  }

  /**
   * SO_RCVBUF the OS granted after listen() (Linux reports twice the usable
   * size, its bookkeeping included), 0 before listen or when unknown.
   */
  get receiveBufferBytes(): number {
    return this.#grantedReceiveBuffer;
  }

  /** Requests whose handler has not settled yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves when no handler is running (immediately if none is). */
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  get stats(): RadiusServerStats {
    return {
      received: this.#received,
      sent: this.#sent,
      dropped: Object.fromEntries(this.#dropped),
      handled: this.#handled,
      duplicatesAnswered: this.#duplicatesAnswered,
      inFlight: this.#inFlight,
      cacheSize: this.#cacheSize,
    };
  }

  /**
   * Stop. By default in-flight handlers are aborted (their signal fires) and
   * their replies discarded; with `drain: true` they are awaited and their
   * replies still sent before the socket closes. Cache timers are cleared.
   */
  async close(options: { drain?: boolean } = {}): Promise<void> {
    if (this.#closing) return;
    if (options.drain) await this.whenIdle();
    this.#closing = true;
    if (this.#expiryTimer) this.#clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    const closed = new CodedError('RADIUS_SERVER_CLOSED', 'the RADIUS server is closing');
    for (const bySlot of this.#cache.values()) for (const entry of bySlot.values()) if (entry.state === 'processing') entry.request?.abort(closed);
    this.#cache.clear();
    this.#cacheSize = 0;
    this.#done.clear();
    // A reply already handed to the socket must leave before the socket closes,
    // or a drained request would be answered with silence.
    if (this.#sending > 0) await new Promise<void>((resolve) => this.#sentWaiters.push(resolve));
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    this.#closing = false;
  }

  // -------------------------------------------------------------------------

  #record(
    direction: PacketEvent['direction'],
    remote: Endpoint,
    bytes: Uint8Array,
    extra: { reason?: string; detail?: string } = {},
  ): void {
    const event: PacketEvent = {
      direction,
      observer: this.#observer,
      at: this.#clock.now(),
      local: this.#local ?? { address: this.#host, port: this.#port },
      remote,
      // Not copied: a received datagram is a fresh buffer from the socket and a reply is
      // encoded fresh; the transport never writes to either after this (a copy per packet was GC load).
      bytes,
    };
    // peekHeader's rule (at least two octets), read in place.
    if (bytes.length >= 2) {
      event.code = bytes[0]!;
      event.identifier = bytes[1]!;
    }
    if (extra.reason !== undefined) event.reason = extra.reason;
    if (extra.detail !== undefined) event.detail = extra.detail;
    if (direction === 'received') this.#received++;
    else if (direction === 'sent') this.#sent++;
    else {
      const reason = extra.reason ?? 'unspecified';
      this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + 1);
    }
    this.#events.record(event);
  }

  #drop(remote: Endpoint, bytes: Uint8Array, reason: string, detail?: string): void {
    this.#record('dropped', remote, bytes, detail === undefined ? { reason } : { reason, detail });
  }

  #send(remote: Endpoint, bytes: Buffer, detail?: string): void {
    const socket = this.#socket;
    if (!socket || this.#closing) {
      this.#drop(remote, bytes, 'closed', 'server closed before the reply could be sent');
      return;
    }
    this.#record('sent', remote, bytes, detail === undefined ? {} : { detail });
    this.#sending++;
    socket.send(bytes, remote.port, remote.address, (err) => {
      if (err) this.#drop(remote, bytes, 'send-failed', err.message);
      if (--this.#sending === 0) for (const w of this.#sentWaiters.splice(0)) w();
    });
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closing) return;
    const remote: Endpoint = { address: rinfo.address, port: rinfo.port };

    // The socket hands over a buffer of its own per datagram and nothing writes to it: the
    // decoded packet may be a view of it (no copy per datagram).
    const decoded = decodePacketView(msg);
    if (!decoded.ok) {
      this.#drop(remote, msg, 'malformed', decoded.error.code);
      return;
    }
    const client = this.#clientFor(rinfo.address);
    if (!client) {
      this.#drop(remote, msg, 'unknown-client', `no client configured for ${rinfo.address}`);
      return;
    }
    const { packet, raw } = decoded;
    const isStatus = packet.code === RadiusCode.StatusServer;
    if (packet.code !== RadiusCode.AccessRequest && !isStatus) {
      this.#drop(remote, msg, 'unsupported-code', `code ${packet.code} is not served on an authentication port`);
      return;
    }
    const ma = verifyDecodedMessageAuthenticator(decoded, client.secret);
    if (ma === 'invalid') {
      this.#drop(remote, msg, 'bad-message-authenticator', `from client '${client.name}' (wrong secret or tampered)`);
      return;
    }
    if (ma === 'absent' && (isStatus || client.requireMessageAuthenticator)) {
      this.#drop(
        remote,
        msg,
        'missing-message-authenticator',
        isStatus ? 'Status-Server requires Message-Authenticator (RFC 5997)' : `client '${client.name}' requires it`,
      );
      return;
    }

    if (isStatus) {
      // RFC 5997 §4.1: answered with Access-Accept, not cached, the handler not involved.
      this.#record('received', remote, msg);
      this.#send(remote, this.#encodeReply({ code: RadiusCode.AccessAccept }, packet, client.secret));
      return;
    }

    const slot = rinfo.port * 256 + packet.identifier;
    let bySlot = this.#cache.get(rinfo.address);
    if (!bySlot) {
      bySlot = new Map();
      this.#cache.set(rinfo.address, bySlot);
    }
    const authenticator = msg.toString('latin1', 4, 20);
    const existing = bySlot.get(slot);
    if (existing?.authenticator === authenticator) {
      if (existing.state === 'processing') {
        this.#drop(remote, msg, 'duplicate-in-progress', 'retransmission while the original is still being processed');
      } else if (existing.reply) {
        this.#record('received', remote, msg, { detail: 'duplicate' });
        this.#duplicatesAnswered++;
        this.#send(remote, existing.reply, 'duplicate');
      } else {
        this.#drop(remote, msg, 'duplicate-no-reply', 'retransmission of a request answered with silence');
      }
      return;
    }
    // RFC 5080 §2.2.2: a new authenticator with the same id is a new request. A finished
    // one has nothing to abort: it is forgotten now rather than at its expiry.
    if (existing?.state === 'processing') existing.request?.abort(SUPERSEDED);
    else if (existing) this.#done.delete(existing);
    if (!existing) this.#cacheSize++;
    const request = new RequestContext(
      packet,
      raw,
      client,
      remote,
      this.#local ?? { address: this.#host, port: this.#port },
      ma,
      this.#clock.now(),
    );
    const entry = new CacheEntry(rinfo.address, slot, authenticator, request);
    bySlot.set(slot, entry);
    this.#record('received', remote, msg);
    this.#process(entry, request, client);
  }

  #process(entry: CacheEntry, request: RequestContext, client: ResolvedClient): void {
    this.#handled++;
    this.#inFlight++;
    let result: Promise<RadiusReply | null> | RadiusReply | null;
    try {
      result = this.#handler(request);
    } catch (e) {
      result = Promise.reject(e);
    }
    if (result === null || typeof (result as Promise<unknown>).then !== 'function') {
      // Answered at once: sent now, no promise.
      this.#answer(entry, request, client, result as RadiusReply | null);
      this.#settled();
      return;
    }
    // Plain then-callbacks, not an async wrapper with finally: two promises fewer per request.
    (result as Promise<RadiusReply | null>).then(
      (reply) => {
        this.#answer(entry, request, client, reply);
        this.#settled();
      },
      (e: unknown) => {
        this.#forget(entry);
        this.#drop(request.remote, request.raw, 'handler-error', e instanceof CodedError ? e.code : 'handler threw');
        this.#settled();
      },
    );
  }

  #settled(): void {
    if (--this.#inFlight === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }

  #isCurrent(entry: CacheEntry): boolean {
    return this.#cache.get(entry.address)?.get(entry.slot) === entry;
  }

  #answer(entry: CacheEntry, request: RequestContext, client: ResolvedClient, reply: RadiusReply | null): void {
    const current = this.#isCurrent(entry);
    const { remote, raw } = request;
    if (reply === null) {
      if (current) this.#finish(entry, undefined);
      this.#drop(remote, raw, 'handler-no-reply', 'the handler chose not to answer');
      return;
    }
    let bytes: Buffer;
    try {
      bytes = this.#encodeReply(reply, request.packet, client.secret);
    } catch (e) {
      this.#forget(entry);
      this.#drop(remote, raw, 'handler-error', e instanceof CodedError ? e.code : 'reply could not be encoded');
      return;
    }
    if (!current) {
      this.#drop(remote, bytes, this.#socket ? 'superseded' : 'closed');
      return;
    }
    this.#finish(entry, bytes);
    this.#send(remote, bytes);
  }

  #encodeReply(reply: RadiusReply, request: RadiusPacket, secret: Secret): Buffer {
    const given = reply.attributes ?? [];
    // Proxy-State must be an exact, ordered copy of the request's (RFC 2865 §5.33), so the handler's own are ignored.
    // Without any on either side (the usual case) the handler's list is encoded as it is (looked for
    // with plain loops: no array or closure per reply).
    if (!hasProxyState(request.attributes) && !hasProxyState(given)) {
      return encodeResponse({ code: reply.code, attributes: given }, request, secret);
    }
    const proxyStates = request.attributes.filter((a) => a.type === AttributeType.ProxyState);
    const own = given.filter((a) => a.type !== AttributeType.ProxyState);
    return encodeResponse({ code: reply.code, attributes: [...own, ...proxyStates] }, request, secret);
  }

  #clientFor(address: string): ResolvedClient | undefined {
    let client = this.#clientOf.get(address);
    if (client === undefined) {
      client = this.#clients.match(address) ?? null;
      if (this.#clientOf.size >= MAX_REMEMBERED_SOURCES) this.#clientOf.clear();
      this.#clientOf.set(address, client);
    }
    return client ?? undefined;
  }

  #finish(entry: CacheEntry, reply: Buffer | undefined): void {
    entry.state = 'done';
    entry.request = undefined;
    if (reply) entry.reply = reply;
    entry.expiresAt = this.#clock.now() + this.#ttl;
    // The entry is not in #done (a new request removes the done entry it supersedes), so this goes last.
    this.#done.add(entry);
    if (!this.#expiryTimer) this.#armExpiry();
  }

  /** One timer, for the entry that expires next. */
  #armExpiry(): void {
    const head = this.#done.values().next();
    if (head.done) return;
    const wait = Math.max(0, head.value.expiresAt - this.#clock.now());
    this.#expiryTimer = this.#clock.setTimeout(() => {
      this.#expiryTimer = undefined;
      this.#expireDue();
    }, wait);
  }

  #expireDue(): void {
    const now = this.#clock.now();
    for (const entry of this.#done) {
      if (entry.expiresAt > now) break;
      this.#done.delete(entry);
      this.#forget(entry);
    }
    this.#armExpiry();
  }

  /** Removes the entry from the cache if it is still the one for its source port and identifier. */
  #forget(entry: CacheEntry): void {
    const bySlot = this.#cache.get(entry.address);
    if (bySlot?.get(entry.slot) !== entry) return;
    bySlot.delete(entry.slot);
    this.#cacheSize--;
    if (bySlot.size === 0) this.#cache.delete(entry.address);
  }
}

/**
 * dgram's lookup for send(): an IP literal of the socket's family is its own answer, at
 * once; anything else goes to dns.lookup as before (the transport only sends to literals).
 */
function literalLookup(address: string, family: unknown, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const f = isIP(address);
  if (f !== 0 && (family === f || family === undefined)) {
    callback(null, address, f);
    return;
  }
  lookup(address, family as number, callback);
}

function hasProxyState(attributes: readonly RadiusAttribute[]): boolean {
  for (let i = 0; i < attributes.length; i++) if (attributes[i]!.type === AttributeType.ProxyState) return true;
  return false;
}

/**
 * What the handler sees of one request. A class rather than an object of closures per
 * request; its AbortController is made only when the handler asks for `signal` (a
 * request answered at once never does).
 */
class RequestContext implements RadiusRequestContext, AbortLike {
  readonly packet: RadiusPacket;
  readonly raw: Uint8Array;
  readonly client: RadiusClientInfo;
  readonly remote: Endpoint;
  readonly local: Endpoint;
  readonly messageAuthenticator: 'valid' | 'absent';
  readonly receivedAt: number;
  /** The client's secret, to unhide User-Password: private, never shown to the handler. */
  readonly #secret: Buffer;
  #controller: AbortController | undefined;
  /** Listeners of `end`. */
  #listeners: Array<() => void> | undefined;
  /** Set when aborted before anyone asked for the signal. */
  #abortedWith: unknown;
  #aborted = false;

  constructor(packet: RadiusPacket, raw: Uint8Array, client: ResolvedClient, remote: Endpoint, local: Endpoint, ma: 'valid' | 'absent', receivedAt: number) {
    this.packet = packet;
    this.raw = raw;
    this.client = client.info;
    this.#secret = client.secret;
    this.remote = remote;
    this.local = local;
    this.messageAuthenticator = ma;
    this.receivedAt = receivedAt;
  }

  userPassword(): Buffer | undefined {
    const hidden = this.packet.attributes.find((a) => a.type === AttributeType.UserPassword)?.value;
    return hidden ? unhideUserPassword(hidden, this.#secret, this.packet.authenticator) : undefined;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#abortedWith);
    }
    return this.#controller.signal;
  }

  get end(): AbortLike {
    return this;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** AbortLike: `once` is implied (a request ends once). */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.#aborted) return;
    if (this.#listeners) this.#listeners.push(listener);
    else this.#listeners = [listener];
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.#listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.#listeners!.splice(i, 1);
  }

  /** Superseded or the server closing: the signal fires (now, or aborted already when first asked for), and the end's listeners. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortedWith = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const l of listeners) l();
  }
}
