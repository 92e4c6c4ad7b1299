/**
 * Network faults between the connector and its RADIUS servers, applied in the
 * connector's own send and receive paths (no root, no iptables): a scenario can
 * close the "security group", slow the network, duplicate or reorder datagrams,
 * or make a server's address go stale ("the agent's private IP changed").
 *
 * Directions are seen from the connector: 'outbound' = connector → server,
 * 'inbound' = server → connector. Delays run on the injected clock, so a test
 * moves time instead of waiting.
 */
import type { Clock } from '../../agent/src/clock.ts';
import type { Endpoint } from '../../agent/src/packet-events.ts';

export type FaultDirection = 'outbound' | 'inbound';
export type FaultKind = 'drop' | 'delay' | 'duplicate' | 'reorder';

export interface FaultRule {
  direction: FaultDirection;
  kind: FaultKind;
  /** Affect this many matching datagrams, then stop (default: every one). */
  count?: number;
  /** Let this many matching datagrams through untouched first (default 0). */
  after?: number;
  /** 'delay': how long (clock ms). 'reorder': the longest a held datagram waits for a successor (default 1000). */
  delayMs?: number;
  /** Only datagrams to/from this server: 'host' or 'host:port'. */
  server?: string;
  /** Stable reason code recorded for drops (default 'fault-drop'). */
  reason?: string;
}

export interface Datagram {
  bytes: Uint8Array;
  local: Endpoint;
  /** The server end: destination when outbound, source when inbound. */
  remote: Endpoint;
}

export interface FaultSink {
  deliver(d: Datagram): void;
  drop(d: Datagram, reason: string, detail: string): void;
}

export interface FaultHandle {
  remove(): void;
  /** How many datagrams this rule has acted on so far. */
  readonly applied: number;
}

interface ActiveRule {
  rule: FaultRule;
  seen: number;
  applied: number;
}

interface Held {
  datagram: Datagram;
  sink: FaultSink;
  timer: ReturnType<Clock['setTimeout']>;
}

export class NetworkFaults {
  readonly #clock: Clock;
  readonly #rules: ActiveRule[] = [];
  readonly #held = new Map<FaultDirection, Held>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  add(rule: FaultRule): FaultHandle {
    const active: ActiveRule = { rule, seen: 0, applied: 0 };
    this.#rules.push(active);
    return {
      remove: () => {
        const i = this.#rules.indexOf(active);
        if (i >= 0) this.#rules.splice(i, 1);
      },
      get applied() {
        return active.applied;
      },
    };
  }

  /** A closed security group: datagrams in `direction` vanish. */
  drop(direction: FaultDirection, options: Omit<FaultRule, 'direction' | 'kind'> = {}): FaultHandle {
    return this.add({ ...options, direction, kind: 'drop' });
  }

  delay(direction: FaultDirection, delayMs: number, options: Omit<FaultRule, 'direction' | 'kind' | 'delayMs'> = {}): FaultHandle {
    return this.add({ ...options, direction, kind: 'delay', delayMs });
  }

  duplicate(direction: FaultDirection, options: Omit<FaultRule, 'direction' | 'kind'> = {}): FaultHandle {
    return this.add({ ...options, direction, kind: 'duplicate' });
  }

  reorder(direction: FaultDirection, options: Omit<FaultRule, 'direction' | 'kind'> = {}): FaultHandle {
    return this.add({ ...options, direction, kind: 'reorder' });
  }

  /**
   * The server that used to be at `oldAddress` moved: settings still point
   * there, and nothing answers. (On a real network the datagrams go nowhere;
   * on loopback something else might listen, so we drop them explicitly.)
   */
  serverAddressChanged(oldAddress: string): FaultHandle {
    return this.add({ direction: 'outbound', kind: 'drop', server: oldAddress, reason: 'server-address-changed' });
  }

  clear(): void {
    this.#rules.length = 0;
    for (const [direction, held] of this.#held) {
      this.#clock.clearTimeout(held.timer);
      this.#held.delete(direction);
      held.sink.deliver(held.datagram);
    }
  }

  /** Run one datagram through the rules: the first rule that matches and still has budget acts. */
  apply(direction: FaultDirection, datagram: Datagram, sink: FaultSink): void {
    const active = this.#rules.find((a) => this.#matches(a, direction, datagram));
    if (!active) {
      this.#pass(direction, datagram, sink);
      return;
    }
    active.applied++;
    const { rule } = active;
    switch (rule.kind) {
      case 'drop':
        sink.drop(datagram, rule.reason ?? 'fault-drop', `${direction} datagram dropped by a scenario fault`);
        return;
      case 'delay':
        this.#clock.setTimeout(() => this.#pass(direction, datagram, sink), rule.delayMs ?? 0);
        return;
      case 'duplicate':
        this.#pass(direction, datagram, sink);
        this.#pass(direction, { ...datagram, bytes: Uint8Array.from(datagram.bytes) }, sink);
        return;
      case 'reorder': {
        const already = this.#held.get(direction);
        if (already) {
          // Two in a row: release the earlier one behind this one.
          this.#held.delete(direction);
          this.#clock.clearTimeout(already.timer);
          sink.deliver(datagram);
          already.sink.deliver(already.datagram);
          return;
        }
        const timer = this.#clock.setTimeout(() => {
          if (this.#held.get(direction)?.datagram === datagram) {
            this.#held.delete(direction);
            sink.deliver(datagram);
          }
        }, rule.delayMs ?? 1000);
        this.#held.set(direction, { datagram, sink, timer });
        return;
      }
    }
  }

  /** Deliver, first releasing (behind it) a datagram held back for reordering. */
  #pass(direction: FaultDirection, datagram: Datagram, sink: FaultSink): void {
    sink.deliver(datagram);
    const held = this.#held.get(direction);
    if (held && held.datagram !== datagram) {
      this.#held.delete(direction);
      this.#clock.clearTimeout(held.timer);
      held.sink.deliver(held.datagram);
    }
  }

  #matches(active: ActiveRule, direction: FaultDirection, d: Datagram): boolean {
    const { rule } = active;
    if (rule.direction !== direction) return false;
    if (rule.server !== undefined) {
      const s = rule.server;
      const matches = s.includes(':') && !s.includes('::') ? s === `${d.remote.address}:${d.remote.port}` : s === d.remote.address;
      if (!matches) return false;
    }
    if (rule.count !== undefined && active.applied >= rule.count) return false;
    active.seen++;
    return active.seen > (rule.after ?? 0);
  }
}
