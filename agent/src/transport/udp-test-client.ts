import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { CodedError } from '../errors.ts';
import type { Endpoint, PacketEvent, PacketEvents } from '../packet-events.ts';

/**
 * A bare UDP peer for tests: sends exact bytes and queues whatever comes back.
 * Real-time timeouts here are only safety bounds so a broken test fails instead
 * of hanging; assertions about "no answer" wait on the server's events instead.
 */
export class UdpTestClient {
  readonly #socket: Socket;
  readonly #queue: Buffer[] = [];
  readonly #waiters: Array<(b: Buffer) => void> = [];
  #local: Endpoint = { address: '', port: 0 };

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (msg) => {
      const w = this.#waiters.shift();
      if (w) w(msg);
      else this.#queue.push(msg);
    });
  }

  static async open(host = '127.0.0.1'): Promise<UdpTestClient> {
    const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    const client = new UdpTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const a = socket.address();
    client.#local = { address: a.address, port: a.port };
    return client;
  }

  get local(): Endpoint {
    return this.#local;
  }

  /** Datagrams received and not yet taken. */
  get pending(): number {
    return this.#queue.length;
  }

  send(bytes: Uint8Array, to: Endpoint): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.send(bytes, to.port, to.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** The next datagram; rejects with UDP_TEST_TIMEOUT after `safetyMs` of real time. */
  receive(safetyMs = 5000): Promise<Buffer> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (b: Buffer): void => {
        clearTimeout(timer);
        resolve(b);
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new CodedError('UDP_TEST_TIMEOUT', `no datagram within ${safetyMs} ms`));
      }, safetyMs);
      this.#waiters.push(waiter);
    });
  }

  /** Send and wait for the next datagram. */
  async exchange(bytes: Uint8Array, to: Endpoint, safetyMs = 5000): Promise<Buffer> {
    const reply = this.receive(safetyMs);
    await this.send(bytes, to);
    return reply;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

/**
 * Resolves with the first event matching `predicate` (recorded after this call);
 * rejects after `safetyMs` of real time so a broken test cannot hang.
 */
export function nextPacketEvent(
  events: PacketEvents,
  predicate: (e: PacketEvent) => boolean,
  safetyMs = 5000,
): Promise<PacketEvent> {
  return new Promise((resolve, reject) => {
    const listener = (e: PacketEvent): void => {
      if (!predicate(e)) return;
      clearTimeout(timer);
      events.off('packet', listener);
      resolve(e);
    };
    const timer = setTimeout(() => {
      events.off('packet', listener);
      reject(new CodedError('UDP_TEST_TIMEOUT', `no matching packet event within ${safetyMs} ms`));
    }, safetyMs);
    events.on('packet', listener);
  });
}
