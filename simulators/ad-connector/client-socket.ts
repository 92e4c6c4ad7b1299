/**
 * One of the connector's client addresses: a UDP socket bound to a loopback
 * address (127.0.0.2, 127.0.0.3 by default) so the RADIUS server sees two
 * distinct clients, like an AD Connector's two IPs sharing one secret.
 *
 * It owns Identifier allocation per server and routes each reply to the
 * exchange waiting for it; everything sent, received or dropped becomes a
 * PacketEvent with observer 'ad-connector'.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Clock } from '../../agent/src/clock.ts';
import type { Endpoint, PacketEvent, PacketEvents } from '../../agent/src/packet-events.ts';
import type { Datagram, NetworkFaults } from './faults.ts';
import { peekHeader } from './radius-codec.ts';

export const OBSERVER = 'ad-connector';

/** Receives the datagrams that answer one outstanding request. */
export type ReplyHandler = (bytes: Uint8Array, event: Omit<PacketEvent, 'direction'>) => void;

export class ClientSocket {
  readonly #socket: Socket;
  readonly #clock: Clock;
  readonly #events: PacketEvents;
  readonly #faults: NetworkFaults | undefined;
  readonly #pending = new Map<string, ReplyHandler>();
  readonly #nextId = new Map<string, number>();
  #local: Endpoint = { address: '', port: 0 };

  private constructor(socket: Socket, clock: Clock, events: PacketEvents, faults: NetworkFaults | undefined) {
    this.#socket = socket;
    this.#clock = clock;
    this.#events = events;
    this.#faults = faults;
    socket.on('message', (msg, rinfo) => {
      const remote = { address: rinfo.address, port: rinfo.port };
      const datagram: Datagram = { bytes: new Uint8Array(msg), local: this.#local, remote };
      const sink = { deliver: (d: Datagram) => this.#dispatch(d), drop: (d: Datagram, reason: string, detail: string) => this.#drop(d, reason, detail) };
      if (this.#faults) this.#faults.apply('inbound', datagram, sink);
      else sink.deliver(datagram);
    });
  }

  static async bind(address: string, clock: Clock, events: PacketEvents, faults?: NetworkFaults): Promise<ClientSocket> {
    // An IPv6 source address (e.g. ::1) needs a udp6 socket; RadiusServersIpv6 are reached from one.
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const client = new ClientSocket(socket, clock, events, faults);
    const bound = socket.address();
    client.#local = { address: bound.address, port: bound.port };
    return client;
  }

  /** 4 or 6: which servers this socket can reach. */
  get family(): 4 | 6 {
    return isIP(this.#local.address) === 6 ? 6 : 4;
  }

  get local(): Endpoint {
    return this.#local;
  }

  /** Requests on this socket still waiting for a reply. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Reserve an Identifier for `server` and route its replies to `handler` until
   * the returned release() is called. Identifiers rotate per server and skip
   * ones still in use; 256 outstanding requests to one server is the RADIUS limit.
   */
  register(server: Endpoint, handler: ReplyHandler): { identifier: number; release: () => void } {
    const serverKey = `${server.address}:${server.port}`;
    const start = this.#nextId.get(serverKey) ?? 0;
    for (let i = 0; i < 256; i++) {
      const identifier = (start + i) & 0xff;
      const key = `${serverKey}#${identifier}`;
      if (!this.#pending.has(key)) {
        this.#nextId.set(serverKey, (identifier + 1) & 0xff);
        this.#pending.set(key, handler);
        return { identifier, release: () => this.#pending.delete(key) };
      }
    }
    throw new Error(`all 256 RADIUS identifiers to ${serverKey} are in use`);
  }

  /** Send one datagram (through the faults) and record it. */
  send(bytes: Uint8Array, server: Endpoint, detail?: string, trace?: PacketEvent[]): void {
    const datagram: Datagram = { bytes, local: this.#local, remote: server };
    this.#record('sent', datagram, undefined, detail, trace);
    const sink = {
      deliver: (d: Datagram) => {
        this.#socket.send(d.bytes, d.remote.port, d.remote.address, (err) => {
          if (err) this.#record('dropped', d, 'send-failed', err.message, trace);
        });
      },
      drop: (d: Datagram, reason: string, why: string) => this.#record('dropped', d, reason, why, trace),
    };
    if (this.#faults) this.#faults.apply('outbound', datagram, sink);
    else sink.deliver(datagram);
  }

  /** Record a datagram a handler refused (failed authenticator, …). */
  recordDrop(bytes: Uint8Array, remote: Endpoint, reason: string, detail: string, trace?: PacketEvent[]): void {
    this.#record('dropped', { bytes, local: this.#local, remote }, reason, detail, trace);
  }

  recordReceived(bytes: Uint8Array, remote: Endpoint, detail?: string, trace?: PacketEvent[]): void {
    this.#record('received', { bytes, local: this.#local, remote }, undefined, detail, trace);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  #dispatch(d: Datagram): void {
    const { identifier } = peekHeader(d.bytes);
    const handler = identifier === undefined ? undefined : this.#pending.get(`${d.remote.address}:${d.remote.port}#${identifier}`);
    if (!handler) {
      // A late answer after we gave up, a duplicate, or someone else's packet.
      this.#drop(d, 'unexpected-reply', 'no request is waiting for this identifier from this server');
      return;
    }
    handler(d.bytes, { observer: OBSERVER, at: this.#clock.now(), local: this.#local, remote: d.remote, bytes: d.bytes });
  }

  #drop(d: Datagram, reason: string, detail: string): void {
    this.#record('dropped', d, reason, detail);
  }

  #record(direction: PacketEvent['direction'], d: Datagram, reason?: string, detail?: string, trace?: PacketEvent[]): void {
    const event: PacketEvent = {
      direction,
      observer: OBSERVER,
      at: this.#clock.now(),
      local: { ...d.local },
      remote: { ...d.remote },
      bytes: Uint8Array.from(d.bytes),
      ...peekHeader(d.bytes),
    };
    if (reason !== undefined) event.reason = reason;
    if (detail !== undefined) event.detail = detail;
    trace?.push(event);
    this.#events.record(event);
  }
}
