import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PacketEvent, PacketEvents } from './packet-events.ts';

/** One label set's count, kept as a plain number and handed to prom-client when scraped. */
interface Cell {
  readonly labels: Record<string, string>;
  n: number;
}

/**
 * Prometheus metrics of one agent, in its own Registry (several agents can
 * live in one process, as in the embedded target). Labels are bounded sets:
 * app names from config, results, reason codes, Okta operation names.
 *
 * The per-request counters (decisions, packets, drops) are counted as plain
 * numbers in maps keyed by their label values and copied into prom-client's
 * counters when they are read (their `collect`): prom-client hashes the label
 * object on every `inc` (a sort and a string join), three times per request on
 * the hygiene path. What /metrics shows is the same.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  /** Filled from countDecision when read: increment through countDecision, not `inc`. */
  readonly requests: Counter<'app' | 'result' | 'reason'>;
  /** Filled from the observed packet events when read. */
  readonly drops: Counter<'reason'>;
  /** Filled from the observed packet events when read. */
  readonly packets: Counter<'direction'>;
  readonly oktaLatency: Histogram<'operation' | 'status'>;
  readonly pendingPushes: Gauge<'app'>;
  readonly #detach: Array<() => void> = [];
  /** app → reason → result → count. */
  readonly #decisions = new Map<string, Map<string, Map<string, Cell>>>();
  readonly #drops = new Map<string, Cell>();
  readonly #received: Cell = { labels: { direction: 'received' }, n: 0 };
  readonly #sent: Cell = { labels: { direction: 'sent' }, n: 0 };

  constructor() {
    const registers = [this.registry];
    const decisions = this.#decisions;
    this.requests = new Counter({
      name: 'radius_mfa_requests_total',
      help: 'Access-Requests decided, by app, result (accept/reject/challenge/no-response) and reason code',
      labelNames: ['app', 'result', 'reason'],
      registers,
      collect() {
        publish(
          this,
          (function* () {
            for (const byReason of decisions.values()) for (const byResult of byReason.values()) yield* byResult.values();
          })(),
        );
      },
    });
    const drops = this.#drops;
    this.drops = new Counter({
      name: 'radius_mfa_dropped_packets_total',
      help: 'Datagrams dropped without an answer, by reason (unknown-client, bad-message-authenticator, ...)',
      labelNames: ['reason'],
      registers,
      collect() {
        publish(this, drops.values());
      },
    });
    const received = this.#received;
    const sent = this.#sent;
    this.packets = new Counter({
      name: 'radius_mfa_packets_total',
      help: 'RADIUS datagrams received and sent',
      labelNames: ['direction'],
      registers,
      collect() {
        publish(this, [received, sent]);
      },
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

  /** One decision (radius_mfa_requests_total{app,result,reason}). */
  countDecision(app: string, result: string, reason: string): void {
    let byReason = this.#decisions.get(app);
    if (!byReason) {
      byReason = new Map();
      this.#decisions.set(app, byReason);
    }
    let byResult = byReason.get(reason);
    if (!byResult) {
      byResult = new Map();
      byReason.set(reason, byResult);
    }
    const cell = byResult.get(result);
    if (cell) cell.n++;
    else byResult.set(result, { labels: { app, result, reason }, n: 1 });
  }

  /** Count drops and packets from the transport's events. */
  observe(events: PacketEvents): void {
    const listener = (e: PacketEvent): void => {
      if (e.direction === 'received') this.#received.n++;
      else if (e.direction === 'sent') this.#sent.n++;
      else {
        const reason = e.reason ?? 'unspecified';
        const cell = this.#drops.get(reason);
        if (cell) cell.n++;
        else this.#drops.set(reason, { labels: { reason }, n: 1 });
      }
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

/** The counts as the counter's values: reset, then each label set counted so far once, with its total. */
function publish(counter: Counter<string>, cells: Iterable<Cell>): void {
  counter.reset();
  for (const c of cells) if (c.n > 0) counter.inc(c.labels, c.n);
}
