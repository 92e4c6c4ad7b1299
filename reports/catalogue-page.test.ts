// The step catalogue page of the report, as a QA engineer uses it: every step
// with its pattern, description and example, grouped by area, and a filter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { loadStepCatalogue } from '../cli/steps.ts';
import type { CatalogueEntry } from '../steps/support/catalogue.ts';
import { renderCataloguePage, stepMatches } from './catalogue-page.ts';

const root = new URL('../', import.meta.url).pathname;

const entries: CatalogueEntry[] = [
  {
    area: 'factors',
    keyword: 'When',
    pattern: '{user} signs in( to WorkSpaces) with a push',
    description: 'Signs in typing "push": the agent sends an Okta Verify push.',
    example: 'When she signs in to WorkSpaces with a push',
  },
  {
    area: 'protocol',
    keyword: 'Then',
    pattern: 'the reply carries <Proxy-State> {string}',
    description: 'Checks that "a" & \'b\' come back <in order>.',
    example: 'Then the reply carries <Proxy-State> "x"',
  },
  {
    area: 'factors',
    keyword: 'Given',
    pattern: '{user} can receive codes by {channel}',
    description: 'Enrols SMS, voice call or email.',
    example: 'Given Dave can receive codes by SMS',
  },
];

test('every step appears under its area with pattern, description and example, escaped', () => {
  const html = renderCataloguePage(entries);
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /3 steps in 2 areas/);
  // Areas in order of first appearance, each step in its own area's section.
  const factors = html.indexOf('id="area-factors"');
  const protocol = html.indexOf('id="area-protocol"');
  assert.ok(factors > 0 && protocol > factors, 'areas in order');
  assert.ok(html.indexOf('can receive codes by') < protocol, 'a later step of the first area stays in that area');
  assert.match(html, /<span class="param">\{user\}<\/span> signs in<span class="opt">\( to WorkSpaces\)<\/span> with a push/);
  assert.match(html, /<code>When she signs in to WorkSpaces with a push<\/code>/);
  assert.match(html, /Signs in typing &quot;push&quot;: the agent sends an Okta Verify push\./);
  // Text from step files never becomes markup.
  assert.ok(!html.includes('<Proxy-State>'), 'a pattern is escaped');
  assert.ok(!html.includes('<in order>'), 'a description is escaped');
  assert.match(html, /Checks that &quot;a&quot; &amp; &#39;b&#39; come back &lt;in order&gt;\./);
  assert.match(html, /<a href="#area-protocol">protocol \(1\)<\/a>/);
});

test('the page is self-contained: no external scripts, styles, fonts or images', () => {
  const html = renderCataloguePage(entries);
  assert.doesNotMatch(html, /\bsrc=/i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /https?:\/\//i);
  assert.doesNotMatch(html, /@import|url\(/i);
  assert.equal(html.match(/<script>/g)?.length, 1, 'one inline script');
});

test('the filter matches every typed word, in any case, anywhere in the step', () => {
  assert.equal(stepMatches('factors When {user} signs in with a push', 'PUSH'), true);
  assert.equal(stepMatches('factors When {user} signs in with a push', 'signs push'), true);
  assert.equal(stepMatches('factors When {user} signs in with a push', 'push sms'), false);
  assert.equal(stepMatches('anything', '   '), true);
});

/** Runs the page's inline script against a minimal DOM of its sections and rows. */
function pageWithFilter(html: string) {
  const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1];
  assert.ok(script, 'the page has its filter script');
  const sections = [...html.matchAll(/<section class="area"[\s\S]*?<\/section>/g)].map((m) => {
    const rows = [...m[0].matchAll(/<tr class="step" data-search="([^"]*)"/g)].map((r) => ({
      hidden: false,
      search: r[1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
      getAttribute(name: string) {
        return name === 'data-search' ? this.search : null;
      },
    }));
    return { hidden: false, rows, querySelectorAll: () => rows };
  });
  let onInput: () => void = () => {};
  const input = { value: '', addEventListener: (_: string, fn: () => void) => (onInput = fn) };
  const shown = { textContent: '' };
  const document = {
    getElementById: (id: string) => (id === 'filter' ? input : id === 'shown' ? shown : null),
    querySelectorAll: () => sections,
  };
  runInNewContext(script, { document });
  return {
    sections,
    shown,
    type(text: string) {
      input.value = text;
      onInput();
    },
  };
}

test('typing in the filter hides steps and areas that do not match, and says how many match', () => {
  const page = pageWithFilter(renderCataloguePage(entries));
  page.type('sms');
  assert.deepEqual(
    page.sections.map((s) => [s.hidden, s.rows.map((r) => r.hidden)]),
    [
      [false, [true, false]],
      [true, [true]],
    ],
  );
  assert.equal(page.shown.textContent, '1 matching');
  page.type('');
  assert.ok(page.sections.every((s) => !s.hidden && s.rows.every((r) => !r.hidden)), 'an empty filter shows everything');
  assert.equal(page.shown.textContent, '');
});

test("the suite's own catalogue renders every step with its example", async () => {
  const catalogue = await loadStepCatalogue(root);
  const html = renderCataloguePage(catalogue);
  const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  assert.equal(html.match(/<tr class="step"/g)?.length, catalogue.length);
  for (const e of catalogue) assert.ok(html.includes(`<code>${escaped(e.example)}</code>`), `example of "${e.pattern}"`);
  assert.ok(html.includes('id="area-modes"'), 'the modes area is listed');
});
