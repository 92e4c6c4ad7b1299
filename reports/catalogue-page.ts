/**
 * The step catalogue as a page of the report: every step a scenario can use,
 * grouped by area, each with its pattern, what it does and an example line to
 * copy. One self-contained HTML file (inline style and a tiny inline filter, no
 * external assets); without JavaScript every step is simply shown.
 *
 * The entries come from `loadStepCatalogue()` (cli/steps.ts), as
 * `radius-mfa-harness steps` prints them.
 */
import type { CatalogueEntry } from '../steps/support/catalogue.ts';
import { escapeHtml } from './trace.ts';

export interface CataloguePageOptions {
  /** Page title (default "Step catalogue"). */
  title?: string;
}

/**
 * Whether a step's search text matches what the reader typed: every word of
 * the query occurs in it, case-insensitive. Runs in the page (embedded as
 * source), so it is plain JavaScript once types are stripped.
 */
export function stepMatches(text: string, query: string): boolean {
  const hay = text.toLowerCase();
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  for (const w of words) if (hay.indexOf(w) < 0) return false;
  return true;
}

/** The words placeholders in patterns stand for (as features/README.md lists them). */
const PLACEHOLDERS: ReadonlyArray<readonly [string, string]> = [
  ['{user}', 'a person of the lab (Alice, Bob, Carol, …) or she / he / they / her / him for the last one named'],
  ['{whose}', "Alice's, her, his, their — whose phone, code or account"],
  ['{app} / {factor}', 'Okta Verify, Google Authenticator, Duo Mobile / Okta Verify code, Google Authenticator code, Duo passcode'],
  ['{channel}', 'SMS, voice call, email'],
  ['{outcome}', 'signed in, refused'],
  ['{duration}', 'lab time: 10 seconds, 2 minutes, 500 ms'],
  ['{timeStep}', 'the previous time step, the next time step, 2 time steps earlier'],
  ['{string}', 'any text in double quotes'],
  ['{int} / {count}', 'a number (count: also no, one, two, …)'],
  ['( … )', 'optional words: the step reads the same with or without them'],
];

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222;max-width:80em}h1{margin-bottom:.2em}
h2{margin:1.2em 0 .3em;font-size:1.15em}table{border-collapse:collapse;width:100%;margin:.3em 0 1em}
td,th{border:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}th{background:#f5f5f5}
td.pattern{width:36%}code{font-family:ui-monospace,monospace;font-size:12.5px;background:#f6f8fa;padding:0 .2em}
.kw{color:#6a1b9a;font-weight:600}.param{color:#1a55a0;font-weight:600}.opt{color:#777}.small{font-size:12px;color:#555}
#filter{font-size:15px;padding:.35em .6em;width:28em;max-width:100%}nav a{margin-right:.8em;color:#1a55a0}[hidden]{display:none}`;

/** A Cucumber expression with its placeholders and optional words set apart. */
function renderPattern(pattern: string): string {
  return escapeHtml(pattern)
    .replace(/\{[A-Za-z]*\}/g, (p) => `<span class="param">${p}</span>`)
    .replace(/\([^()]*\)/g, (o) => `<span class="opt">${o}</span>`);
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'x';
}


/** The filter: hides steps (and whole areas) that don't match what is typed; shows how many match. */
const FILTER_SCRIPT = `(function(){
var stepMatches = ${String(stepMatches)};
var input = document.getElementById('filter');
var shown = document.getElementById('shown');
function apply(){
  var q = input.value, n = 0;
  var areas = document.querySelectorAll('section.area');
  for (var i = 0; i < areas.length; i++) {
    var rows = areas[i].querySelectorAll('tr.step'), visible = 0;
    for (var j = 0; j < rows.length; j++) {
      var ok = stepMatches(rows[j].getAttribute('data-search') || '', q);
      rows[j].hidden = !ok;
      if (ok) visible++;
    }
    areas[i].hidden = visible === 0;
    n += visible;
  }
  shown.textContent = q.trim() ? n + ' matching' : '';
}
input.addEventListener('input', apply);
apply();
})();`;

/** The catalogue as one stand-alone HTML page. */
export function renderCataloguePage(catalogue: readonly CatalogueEntry[], options: CataloguePageOptions = {}): string {
  const title = options.title ?? 'Step catalogue';
  const areas = Map.groupBy(catalogue, (e) => e.area);
  const nav = [...areas]
    .map(([area, list]) => `<a href="#area-${slug(area)}">${escapeHtml(area)} (${list.length})</a>`)
    .join('');
  const sections = [...areas].map(([area, list]) => {
    const rows = list.map((e) => {
      const search = `${e.area} ${e.keyword} ${e.pattern} ${e.description} ${e.example}`;
      return `<tr class="step" data-search="${escapeHtml(search)}"><td class="pattern"><span class="kw">${escapeHtml(e.keyword)}</span> ${renderPattern(e.pattern)}</td><td>${escapeHtml(e.description)}</td><td><code>${escapeHtml(e.example)}</code></td></tr>`;
    });
    return `<section class="area" id="area-${slug(area)}"><h2>${escapeHtml(area)} <span class="small">(${list.length} step${list.length === 1 ? '' : 's'})</span></h2>
<table><thead><tr><th>step</th><th>what it does</th><th>example</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></section>`;
  });
  const legend = PLACEHOLDERS.map(([p, means]) => `<tr><td><code>${escapeHtml(p)}</code></td><td>${escapeHtml(means)}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="small">${catalogue.length} steps in ${areas.size} areas. A new scenario made only of these steps runs without new code: copy an example, change the names and words (see features/README.md).</p>
<p><input id="filter" type="search" placeholder="Filter steps: push, SMS, password, Message-Authenticator…" aria-label="Filter steps" autocomplete="off"> <span id="shown" class="small"></span></p>
<nav>${nav}</nav>
<details><summary class="small">Words in patterns</summary><table><tbody>${legend}</tbody></table></details>
${sections.join('\n')}
<script>${FILTER_SCRIPT}</script>
</body></html>
`;
}
