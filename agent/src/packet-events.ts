import { EventEmitter } from 'node:events';

/**
 * Every RADIUS datagram a part sends, receives or drops is one of these events.
 * Traces, pcaps, reports, metrics and test assertions subscribe to them; nobody
 * scrapes logs. Bytes are the datagram exactly as on the wire (they carry the
 * hidden User-Password, never the clear one; renderers must not try to unhide it).
 */
export interface Endpoint {
  address: string;
  port: number;
}

export type PacketDirection = 'received' | 'sent' | 'dropped';

export interface PacketEvent {
  direction: PacketDirection;
  /** Who observed it: e.g. 'agent', 'ad-connector'. */
  observer: string;
  /** Clock time (ms since epoch) of the observing part's injected clock. */
  at: number;
  local: Endpoint;
  remote: Endpoint;
  bytes: Uint8Array;
  /** RADIUS code and identifier when the header could be read. */
  code?: number;
  identifier?: number;
  /** For 'dropped': a stable reason code such as 'unknown-client', 'bad-message-authenticator'. */
  reason?: string;
  /** Free-form, human readable; must never contain secrets or passcodes. */
  detail?: string;
}

export interface PacketEventMap {
  packet: [PacketEvent];
}

/** A typed emitter plus per-reason drop counters. */
export class PacketEvents extends EventEmitter<PacketEventMap> {
  readonly dropsByReason = new Map<string, number>();
  received = 0;
  sent = 0;

  record(event: PacketEvent): void {
    if (event.direction === 'dropped') {
      const reason = event.reason ?? 'unspecified';
      this.dropsByReason.set(reason, (this.dropsByReason.get(reason) ?? 0) + 1);
    } else if (event.direction === 'received') {
      this.received++;
    } else {
      this.sent++;
    }
    this.emit('packet', event);
  }

  dropped(reason: string): number {
    return this.dropsByReason.get(reason) ?? 0;
  }
}
