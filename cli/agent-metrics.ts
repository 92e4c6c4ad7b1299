/**
 * Counters from an agent's Prometheus text, as the load mode reads them before
 * and after a run to say what the agent itself gave as reasons (a full request
 * queue, Okta unavailable, rate-limited…). Informative only: the load's own
 * figures (answers, latency, losses) come from what came back over UDP.
 *
 * Written by hand: the load needs counter samples of two metric names, and
 * prom-client (the agent's library) writes the exposition format but has no
 * parser; one line per sample, `name{label="value",…} number`, is all it takes.
 */

/** One sample: its labels and value. */
export interface CounterSample {
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of metric `name` in the exposition `text` (comments and other metrics skipped). */
export function counterSamples(text: string, name: string): CounterSample[] {
  const out: CounterSample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line.trim());
    if (!m || m[1] !== name) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ labels, value });
  }
  return out;
}

/** How one counter grew between two scrapes, per value of `label` (zero growth left out), largest first. */
export function counterGrowth(before: string, after: string, name: string, label: string): Array<{ key: string; count: number }> {
  const sum = (text: string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const s of counterSamples(text, name)) {
      const key = s.labels[label] ?? '';
      m.set(key, (m.get(key) ?? 0) + s.value);
    }
    return m;
  };
  const b = sum(before);
  return [...sum(after)]
    .map(([key, v]) => ({ key, count: v - (b.get(key) ?? 0) }))
    .filter((e) => e.count > 0)
    .sort((x, y) => y.count - x.count || x.key.localeCompare(y.key));
}

/** What the agent's own metrics say about a load run. */
export interface AgentAccount {
  /** Decisions by reason (radius_mfa_requests_total, by `reason`). */
  reasons: Array<{ key: string; count: number }>;
  /** Datagrams dropped by reason (radius_mfa_dropped_packets_total, by `reason`). */
  drops: Array<{ key: string; count: number }>;
}

export function agentAccount(before: string, after: string): AgentAccount {
  return {
    reasons: counterGrowth(before, after, 'radius_mfa_requests_total', 'reason'),
    drops: counterGrowth(before, after, 'radius_mfa_dropped_packets_total', 'reason'),
  };
}

/**
 * What broke first, read from the agent's reasons: a sentence with what to do,
 * or undefined when nothing but the sign-ins' own outcomes shows. The reasons are
 * the reference agent's (agent/src/engine/reasons.ts); another agent's metrics
 * simply don't match and give no hint.
 */
export function firstToBreak(account: AgentAccount, requestThreads?: number, oktaCallsPerSecond?: number): string | undefined {
  const n = (key: string): number => account.reasons.find((r) => r.key === key)?.count ?? 0;
  const full = n('request-queue-full');
  if (full > 0) {
    return (
      `the agent's request threads were all busy ${full} time(s) (requestThreads ${requestThreads ?? 'as configured; the reference agent defaults to 15, as Okta\'s ragent.num_request_threads'}): ` +
      'each was rejected at once — give the agent more with --request-threads N (the reference agent), or lower --concurrency / --rate'
    );
  }
  const okta = n('okta-unavailable');
  if (okta > 0) {
    return `${okta} sign-in(s) ended as okta-unavailable: Okta (here the mock, one process) did not answer, answered 5xx or rate-limited the agent — lower --rate / --concurrency, or see the agent's log`;
  }
  const late = n('request-timeout');
  if (late > 0) {
    return (
      `${late} sign-in(s) hit the agent's total request time-out: its Okta calls queued too long — behind its Okta call budget ` +
      `(okta.callsPerSecond ${oktaCallsPerSecond ?? "as configured; the reference agent defaults to 20/s, Okta's 1,200 a minute"}) or a slow Okta. ` +
      'Lower --rate / --concurrency, or, where your org\'s rate limits allow more, raise the budget (--okta-calls-per-second N for the reference agent)'
    );
  }
  return undefined;
}
