import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PacketEvent, PacketEvents } from './packet-events.ts';

/**
 * Prometheus metrics of one agent, in its own Registry (several agents can
 * live in one process, as in the embedded target). Labels are bounded sets:
 * app names from config, results, reason codes, Okta operation names.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'app' | 'result' | 'reason'>;
  readonly drops: Counter<'reason'>;
  readonly packets: Counter<'direction'>;
  readonly oktaLatency: Histogram<'operation' | 'status'>;
  readonly pendingPushes: Gauge<'app'>;
  readonly #detach: Array<() => void> = [];

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'radius_mfa_requests_total',
      help: 'Access-Requests decided, by app, result (accept/reject/challenge/no-response) and reason code',
      labelNames: ['app', 'result', 'reason'],
      registers,
    });
    this.drops = new Counter({
      name: 'radius_mfa_dropped_packets_total',
      help: 'Datagrams dropped without an answer, by reason (unknown-client, bad-message-authenticator, ...)',
      labelNames: ['reason'],
      registers,
    });
    this.packets = new Counter({
      name: 'radius_mfa_packets_total',
      help: 'RADIUS datagrams received and sent',
      labelNames: ['direction'],
      registers,
    });
    this.oktaLatency = new Histogram({
      name: 'radius_mfa_okta_request_duration_seconds',
      help: 'Okta API call latency by operation and HTTP status (0 = no response)',
      labelNames: ['operation', 'status'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.pendingPushes = new Gauge({
      name: 'radius_mfa_pending_pushes',
      help: 'Okta Verify pushes waiting for the user',
      labelNames: ['app'],
      registers,
    });
  }

  /** Count drops and packets from the transport's events. */
  observe(events: PacketEvents): void {
    const listener = (e: PacketEvent): void => {
      if (e.direction === 'dropped') this.drops.inc({ reason: e.reason ?? 'unspecified' });
      else this.packets.inc({ direction: e.direction });
    };
    events.on('packet', listener);
    this.#detach.push(() => events.off('packet', listener));
  }

  detach(): void {
    for (const d of this.#detach.splice(0)) d();
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
