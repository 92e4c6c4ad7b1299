/**
 * The load run as a page: the figures, answers by kind, and two plots drawn as
 * inline SVG (no scripts, no network): answers per second, and p50 / p99
 * latency per second, over the run.
 */
import type { AgentAccount } from './agent-metrics.ts';
import { type LoadResult, type LoadSecond, SIGN_IN_KINDS } from './load-engine.ts';

export interface LoadReportMeta {
  target: string;
  endpoint: string;
  startedAt: string;
  loadavgBefore: string;
  loadavgAfter: string;
  oktaCalls: number;
  plan: Record<string, unknown>;
  /** What the agent's own metrics said (targets that expose them), and the first thing that broke. */
  agent?: AgentAccount & { firstToBreak?: string };
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One SVG line chart; series share the y axis (0 .. max). */
export function lineChart(title: string, unit: string, xs: readonly number[], series: ReadonlyArray<{ name: string; color: string; ys: readonly number[] }>): string {
  const W = 720;
  const H = 240;
  const L = 56;
  const B = 28;
  const T = 24;
  const R = 12;
  const finite = series.flatMap((s) => s.ys.filter((y) => Number.isFinite(y)));
  const maxY = Math.max(1, ...finite) * 1.05;
  const maxX = Math.max(1, xs.length > 0 ? xs[xs.length - 1]! : 1);
  const px = (x: number): number => L + ((W - L - R) * x) / maxX;
  const py = (y: number): number => H - B - ((H - B - T) * y) / maxY;
  const lines = series
    .map((s) => {
      const pts = xs.map((x, i) => (Number.isFinite(s.ys[i]!) ? `${px(x).toFixed(1)},${py(s.ys[i]!).toFixed(1)}` : '')).filter(Boolean);
      return `<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${pts.join(' ')}"><title>${esc(s.name)}</title></polyline>`;
    })
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = maxY * f;
      return `<line x1="${L}" x2="${W - R}" y1="${py(y)}" y2="${py(y)}" stroke="#eee"/><text x="${L - 6}" y="${py(y) + 4}" text-anchor="end">${formatTick(y)}</text>`;
    })
    .join('');
  const legend = series.map((s, i) => `<text x="${L + 10 + i * 120}" y="${T - 8}" fill="${s.color}">■ ${esc(s.name)}</text>`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}" font-size="11" font-family="sans-serif">
${ticks}<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#888"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#888"/>
<text x="${(L + W) / 2}" y="${H - 6}" text-anchor="middle">seconds since start</text><text x="12" y="${T - 8}">${esc(unit)}</text>${legend}${lines}</svg></figure>`;
}

function agentSection(agent: LoadReportMeta['agent']): string {
  if (!agent) return '<p>The target exposes no metrics: the agent\'s own reasons are not shown.</p>';
  const table = (title: string, xs: Array<{ key: string; count: number }>): string =>
    `<h3>${esc(title)}</h3>` +
    (xs.length > 0 ? `<table><tr><th>reason</th><th>count</th></tr>${xs.map((x) => `<tr><td>${esc(x.key)}</td><td>${x.count}</td></tr>`).join('')}</table>` : '<p>none</p>');
  return (
    `<h2>The agent's own account (its /metrics; informative, not a verdict)</h2>` +
    (agent.firstToBreak ? `<p><strong>First to break:</strong> ${esc(agent.firstToBreak)}</p>` : '') +
    table('Decisions by reason', agent.reasons) +
    table('Datagrams dropped by reason', agent.drops)
  );
}

function formatTick(y: number): string {
  return y >= 100 ? String(Math.round(y)) : y >= 10 ? y.toFixed(0) : y.toFixed(1);
}

export function renderLoadReport(r: LoadResult, meta: LoadReportMeta): string {
  const xs = r.timeline.map((s: LoadSecond) => s.second + 1);
  const rows = SIGN_IN_KINDS.filter((k) => r.byKind[k].started > 0)
    .map((k) => {
      const f = r.byKind[k];
      return `<tr><td>${k}</td><td>${f.started}</td><td>${f.accepted}</td><td>${f.rejected}</td><td>${f.challenged}</td><td>${f.lost}</td><td>${f.p50}</td><td>${f.p99}</td></tr>`;
    })
    .join('');
  const perSignIn = r.answered > 0 ? (meta.oktaCalls / r.answered).toFixed(2) : '—';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>radius-mfa-harness load — ${esc(meta.target)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}figure{margin:1.5em 0}figcaption{font-weight:bold}</style></head><body>
<h1>Load: ${esc(meta.target)} at ${esc(meta.endpoint)}</h1>
<p>Started ${esc(meta.startedAt)}; ${r.elapsedMs} ms; stopped by ${r.stoppedBy}. Load average before: <code>${esc(meta.loadavgBefore)}</code>, after: <code>${esc(meta.loadavgAfter)}</code>.</p>
<table><tr><th>sign-ins</th><th>answered</th><th>lost</th><th>answers/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th><th>retransmitted</th><th>Okta calls / sign-in</th></tr>
<tr><td>${r.started}</td><td>${r.answered}</td><td>${r.lost}</td><td>${r.answersPerSecond}</td><td>${r.p50}</td><td>${r.p95}</td><td>${r.p99}</td><td>${r.max}</td><td>${r.retransmitted}</td><td>${perSignIn}</td></tr></table>
<h2>Answers by kind</h2>
<table><tr><th>kind</th><th>started</th><th>accepted</th><th>rejected</th><th>challenged</th><th>lost</th><th>p50 ms</th><th>p99 ms</th></tr>${rows}</table>
${agentSection(meta.agent)}
${lineChart('Throughput', 'answers/s', xs, [
  { name: 'answered', color: '#1f77b4', ys: r.timeline.map((s) => s.answered) },
  { name: 'started', color: '#aaa', ys: r.timeline.map((s) => s.started) },
])}
${lineChart('Latency', 'ms', xs, [
  { name: 'p50', color: '#2ca02c', ys: r.timeline.map((s) => s.p50) },
  { name: 'p99', color: '#d62728', ys: r.timeline.map((s) => s.p99) },
])}
<h2>Plan</h2><pre>${esc(JSON.stringify(meta.plan, null, 2))}</pre>
</body></html>
`;
}
