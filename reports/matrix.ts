/**
 * The conformance matrix: areas × targets, each cell pass / fail / not applicable
 * (with the reason) / expected deviation, drilling down to every scenario with a
 * link to its packet trace and pcap. One JSON document (for tools and CI) and a
 * stand-alone HTML page (for people), merged from one Cucumber run per target.
 */
import type { LedgerEntry } from './ledger.ts';
import { escapeHtml } from './trace.ts';
import { type ScenarioVerdict, type Summary, summarize, type Verdict } from './verdicts.ts';

export interface ScenarioArtifacts {
  /** Paths relative to the matrix file. */
  trace?: string;
  traceText?: string;
  pcap?: string;
  /** Files attached on failure (a browser's screenshot and Playwright trace). */
  files?: Array<{ name: string; mediaType: string; path: string }>;
}

export type MatrixVerdict = ScenarioVerdict & { artifacts?: ScenarioArtifacts };

export interface TargetRun {
  /** A target's name, or "simulators" for the @no-agent scenarios. */
  target: string;
  /** 'simulators' for the @no-agent scenarios (shown apart from the targets); default 'target'. */
  kind?: 'target' | 'simulators';
  /** Wall-clock time it started (report only): orders the columns. */
  startedAt?: number;
  /** Run-level problems of this part (unavailable, nothing checked, stale ledger entry): each fails the run. */
  problems?: string[];
  /** BeforeAll / AfterAll hooks that failed in this part's Cucumber run. */
  hookFailures?: string[];
  /** Whether this part ran every scenario of every feature (stale ledger entries then fail the run). */
  fullSuite?: boolean;
  description?: string;
  capabilities?: string[];
  /** Set when the target could not start: every scenario is then not applicable. */
  unavailable?: string;
  /** Paths relative to the matrix file. */
  reports?: { html?: string; junit?: string; messages?: string };
  verdicts: MatrixVerdict[];
  unmatchedLedgerEntries?: LedgerEntry[];
}

export type CellStatus = 'pass' | 'fail' | 'not-applicable' | 'expected-deviation' | 'none';

export interface MatrixCell {
  status: CellStatus;
  counts: Summary;
  /** For a not-applicable cell: why (the most common reason). */
  reason?: string;
}

export interface MatrixScenarioResult {
  verdict: Verdict;
  reason?: string;
  missing?: string[];
  ledger?: LedgerEntry;
  durationMs?: number;
  artifacts?: ScenarioArtifacts;
}

export interface Matrix {
  version: 1;
  generatedAt: string;
  /** Whether the run passes (its exit code is 0), and why not. */
  passed: boolean;
  problems: string[];
  notes: string[];
  /** The agents under test: their columns and totals never include @no-agent scenarios. */
  targets: Array<Omit<TargetRun, 'verdicts'> & { summary: Summary }>;
  /** The @no-agent scenarios, judged once for the run, apart from the targets. */
  simulators?: Omit<TargetRun, 'verdicts'> & { summary: Summary };
  areas: Array<{ area: string; cells: Record<string, MatrixCell> }>;
  scenarios: Array<{
    id: string;
    name: string;
    feature: string;
    uri: string;
    line: number;
    area: string;
    tags: string[];
    results: Record<string, MatrixScenarioResult>;
  }>;
}

function cellOf(verdicts: readonly ScenarioVerdict[]): MatrixCell {
  const counts = summarize(verdicts);
  let status: CellStatus = 'none';
  if (counts.fail > 0 || counts['unexpected-pass'] > 0) status = 'fail';
  else if (counts['expected-deviation'] > 0) status = 'expected-deviation';
  else if (counts.pass > 0) status = 'pass';
  else if (counts['not-applicable'] > 0) status = 'not-applicable';
  const cell: MatrixCell = { status, counts };
  if (status === 'not-applicable') {
    const reasons = new Map<string, number>();
    for (const v of verdicts) if (v.reason) reasons.set(v.reason, (reasons.get(v.reason) ?? 0) + 1);
    const top = [...reasons].sort((a, b) => b[1] - a[1])[0];
    if (top) cell.reason = reasons.size > 1 ? `${top[0]} (and ${reasons.size - 1} other reasons)` : top[0];
  }
  return cell;
}

/** Merges one run per target (and the simulators' run) into the matrix. */
export function buildMatrix(all: readonly TargetRun[], generatedAt: string, given?: { problems: readonly string[]; notes: readonly string[] }): Matrix {
  // Without the run's judgement (reports/verdicts.ts judgeRun), at least every failing part fails the banner.
  const judgement = given ?? {
    problems: all
      .map((r) => [r.target, r.verdicts.filter((v) => v.verdict === 'fail' || v.verdict === 'unexpected-pass').length] as const)
      .filter(([, n]) => n > 0)
      .map(([t, n]) => `${t}: ${n} failed or passed unexpectedly`),
    notes: [],
  };
  const sims = all.find((r) => r.kind === 'simulators');
  const runs = all.filter((r) => r.kind !== 'simulators');
  const areas = [...new Set(all.flatMap((r) => r.verdicts.map((v) => v.area)))].sort();
  const scenarios = new Map<string, Matrix['scenarios'][number]>();
  for (const run of all) {
    for (const v of run.verdicts) {
      let s = scenarios.get(v.id);
      if (!s) {
        s = { id: v.id, name: v.name, feature: v.feature, uri: v.uri, line: v.line, area: v.area, tags: v.tags, results: {} };
        scenarios.set(v.id, s);
      }
      const r: MatrixScenarioResult = { verdict: v.verdict };
      if (v.reason !== undefined) r.reason = v.reason;
      if (v.missing !== undefined && v.missing.length > 0) r.missing = v.missing;
      if (v.ledger !== undefined) r.ledger = v.ledger;
      if (v.durationMs !== undefined) r.durationMs = v.durationMs;
      if (v.artifacts !== undefined) r.artifacts = v.artifacts;
      s.results[run.target] = r;
    }
  }
  const matrix: Matrix = {
    version: 1,
    generatedAt,
    passed: judgement.problems.length === 0,
    problems: [...judgement.problems],
    notes: [...judgement.notes],
    targets: runs.map(({ verdicts, ...rest }) => ({ ...rest, summary: summarize(verdicts) })),
    areas: areas.map((area) => ({
      area,
      // The simulators' cell sits beside the targets' under its own key; it is never a target's.
      cells: Object.fromEntries([...runs, ...(sims ? [sims] : [])].map((r) => [r.target, cellOf(r.verdicts.filter((v) => v.area === area))])),
    })),
    scenarios: [...scenarios.values()].sort((a, b) => a.area.localeCompare(b.area) || a.uri.localeCompare(b.uri) || a.line - b.line),
  };
  if (sims) {
    const { verdicts, ...rest } = sims;
    matrix.simulators = { ...rest, summary: summarize(verdicts) };
  }
  return matrix;
}

const LABEL: Record<Verdict | CellStatus, string> = {
  pass: 'pass',
  fail: 'FAIL',
  'not-applicable': 'n/a',
  'expected-deviation': 'expected deviation',
  'unexpected-pass': 'UNEXPECTED PASS',
  none: '—',
};

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222}h1{margin-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f5f5f5}.pass{background:#e6f4ea}.fail,.unexpected-pass{background:#fce8e6;font-weight:600}
.not-applicable{background:#f1f3f4;color:#555}.expected-deviation{background:#fef7e0}.none{color:#999}
.small{font-size:12px;color:#555}details{margin:.4em 0}summary{cursor:pointer;font-weight:600}a{color:#1a55a0}
.sim{border-left:3px solid #888}.banner{padding:.6em 1em;border-radius:4px;margin:.5em 0}.banner.bad{background:#fce8e6}.banner.good{background:#e6f4ea}`;

function counts(c: Summary): string {
  const parts: string[] = [];
  if (c.pass) parts.push(`${c.pass} pass`);
  if (c.fail) parts.push(`${c.fail} fail`);
  if (c['unexpected-pass']) parts.push(`${c['unexpected-pass']} unexpected pass`);
  if (c['expected-deviation']) parts.push(`${c['expected-deviation']} expected dev.`);
  if (c['not-applicable']) parts.push(`${c['not-applicable']} n/a`);
  return parts.join(' · ');
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'x';
}

/** Stand-alone HTML (no scripts): the matrix, then a drill-down per area. */
export function renderMatrixHtml(m: Matrix): string {
  // The simulators' column comes last, set apart: those scenarios never reach an agent.
  const targets = [...m.targets.map((t) => t.target), ...(m.simulators ? [m.simulators.target] : [])];
  const th = (t: string): string => (m.simulators && t === m.simulators.target ? `<th class="sim">${escapeHtml(t)} (no agent)</th>` : `<th>${escapeHtml(t)}</th>`);
  const bad = !m.passed;
  const head = `<tr><th>area</th>${targets.map(th).join('')}</tr>`;
  const rows = m.areas.map((a) => {
    const cells = targets.map((t) => {
      const c = a.cells[t];
      if (!c) return '<td class="none">—</td>';
      const why = c.reason ? `<div class="small">${escapeHtml(c.reason)}</div>` : '';
      return `<td class="${c.status}"><a href="#area-${slug(a.area)}">${LABEL[c.status]}</a><div class="small">${counts(c.counts)}</div>${why}</td>`;
    });
    return `<tr><th><a href="#area-${slug(a.area)}">${escapeHtml(a.area)}</a></th>${cells.join('')}</tr>`;
  });
  const targetRows = [...m.targets, ...(m.simulators ? [m.simulators] : [])].map((t) => {
    const links = Object.entries(t.reports ?? {})
      .filter(([, href]) => href)
      .map(([k, href]) => `<a href="${escapeHtml(href!)}">${escapeHtml(k)}</a>`)
      .join(' · ');
    const state = t.unavailable ? `<span class="fail">unavailable: ${escapeHtml(t.unavailable)}</span>` : escapeHtml(counts(t.summary) || 'no scenarios');
    const stale = (t.unmatchedLedgerEntries ?? []).length
      ? `<div class="small">ledger entries matching no scenario of this run: ${(t.unmatchedLedgerEntries ?? []).map((e) => escapeHtml(e.scenario)).join('; ')}</div>`
      : '';
    const problems = (t.problems ?? []).map((p) => `<div class="fail small">${escapeHtml(p)}</div>`).join('');
    return `<tr><th>${escapeHtml(t.target)}</th><td>${escapeHtml(t.description ?? '')}<div class="small">capabilities: ${escapeHtml((t.capabilities ?? []).join(', ') || '—')}</div></td><td>${state}${stale}${problems}</td><td>${links}</td></tr>`;
  });
  const sections = m.areas.map((a) => {
    const list = m.scenarios.filter((s) => s.area === a.area);
    const srows = list.map((s) => {
      const cells = targets.map((t) => {
        const r = s.results[t];
        if (!r) return '<td class="none">—</td>';
        const links: string[] = [];
        if (r.artifacts?.trace) links.push(`<a href="${escapeHtml(r.artifacts.trace)}">trace</a>`);
        if (r.artifacts?.pcap) links.push(`<a href="${escapeHtml(r.artifacts.pcap)}">pcap</a>`);
        for (const f of r.artifacts?.files ?? []) links.push(`<a href="${escapeHtml(f.path)}">${escapeHtml(f.name)}</a>`);
        if (r.ledger?.link) links.push(`<a href="${escapeHtml(r.ledger.link)}">ledger link</a>`);
        const reason = r.reason ? `<div class="small">${escapeHtml(r.reason)}</div>` : '';
        return `<td class="${r.verdict}">${LABEL[r.verdict]}${reason}${links.length ? `<div class="small">${links.join(' · ')}</div>` : ''}</td>`;
      });
      return `<tr><td id="s-${slug(s.id)}">${escapeHtml(s.name)}<div class="small">${escapeHtml(s.uri)}:${s.line} ${escapeHtml(s.tags.join(' '))}</div></td>${cells.join('')}</tr>`;
    });
    const open = targets.some((t) => ['fail'].includes(a.cells[t]?.status ?? '')) ? ' open' : '';
    return `<details id="area-${slug(a.area)}"${open}><summary>${escapeHtml(a.area)} (${list.length} scenarios)</summary>
<table><tr><th>scenario</th>${targets.map(th).join('')}</tr>${srows.join('\n')}</table></details>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conformance matrix</title><style>${CSS}</style></head><body>
<h1>Conformance matrix</h1><div class="small">generated ${escapeHtml(m.generatedAt)} · <a href="steps.html">step catalogue</a></div>
<div class="banner ${bad ? 'bad' : 'good'}">${bad ? `The run fails:<ul>${m.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>` : 'The run passes: no failures, no unexpected passes, every target checked something.'}${m.notes.length ? `<div class="small">${m.notes.map(escapeHtml).join('<br>')}</div>` : ''}</div>
<h2>Targets</h2><div class="small">Scenarios tagged @no-agent never reach an agent: they run once per run, under "simulators", and are not counted for any target.</div><table><tr><th>target</th><th>profile</th><th>result</th><th>reports</th></tr>${targetRows.join('\n')}</table>
<h2>Areas × targets</h2><table>${head}${rows.join('\n')}</table>
<h2>Scenarios</h2>${sections.join('\n')}
</body></html>
`;
}
