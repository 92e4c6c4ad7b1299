/**
 * A raw RADIUS client for protocol scenarios: sends hand-made datagrams from one
 * of the AD Connector's client addresses (so the agent knows the client) and
 * collects what comes back. Every datagram is a PacketEvent (observer
 * 'radius-client') in the scenario's trace. Waiting is on the lab clock, through
 * the World's driver.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Clock } from '../../agent/src/clock.ts';
import type { Endpoint, PacketEvent } from '../../agent/src/packet-events.ts';
import { peekHeader } from '../../agent/src/radius/codec.ts';

export const RAW_OBSERVER = 'radius-client';

export class RawRadiusClient {
  readonly #socket: Socket;
  readonly #clock: Clock;
  readonly #record: (e: PacketEvent) => void;
  readonly replies: Buffer[] = [];
  readonly #waiters = new Set<() => void>();
  #local: Endpoint = { address: '', port: 0 };

  private constructor(socket: Socket, clock: Clock, record: (e: PacketEvent) => void) {
    this.#socket = socket;
    this.#clock = clock;
    this.#record = record;
    socket.on('message', (msg, rinfo) => {
      this.replies.push(msg);
      this.#event('received', { address: rinfo.address, port: rinfo.port }, msg);
      for (const w of this.#waiters) w();
    });
  }

  static async bind(address: string, clock: Clock, record: (e: PacketEvent) => void): Promise<RawRadiusClient> {
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const client = new RawRadiusClient(socket, clock, record);
    const bound = socket.address();
    client.#local = { address: bound.address, port: bound.port };
    return client;
  }

  async send(bytes: Uint8Array, to: Endpoint): Promise<void> {
    this.#event('sent', to, bytes);
    await new Promise<void>((resolve, reject) => this.#socket.send(bytes, to.port, to.address, (e) => (e ? reject(e) : resolve())));
  }

  /** Resolves when `count` replies in all have arrived, or after `waitMs` of lab time, with the replies so far. */
  waitForReplies(count: number, waitMs: number): Promise<Buffer[]> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#waiters.delete(check);
        this.#clock.clearTimeout(timer);
        resolve([...this.replies]);
      };
      const check = (): void => {
        if (this.replies.length >= count) done();
      };
      const timer = this.#clock.setTimeout(done, waitMs);
      this.#waiters.add(check);
      check();
    });
  }

  close(): void {
    this.#socket.close();
  }

  #event(direction: 'sent' | 'received', remote: Endpoint, bytes: Uint8Array): void {
    const header = peekHeader(bytes);
    const e: PacketEvent = { direction, observer: RAW_OBSERVER, at: this.#clock.now(), local: { ...this.#local }, remote, bytes: Uint8Array.from(bytes) };
    if (header) {
      e.code = header.code;
      e.identifier = header.identifier;
    }
    this.#record(e);
  }
}
