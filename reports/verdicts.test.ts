import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { LedgerError, parseLedger } from './ledger.ts';
import { computeVerdicts, exitCodeFor, formatSummary, parseNotApplicable, summarize, unavailableVerdicts } from './verdicts.ts';

type Status = 'PASSED' | 'FAILED' | 'SKIPPED' | 'UNDEFINED';

interface Spec {
  name: string;
  line: number;
  uri?: string;
  tags?: string[];
  /** Status of each step, in order; a hook step first. */
  steps: Status[];
  marker?: string;
  trace?: string;
  /** Attempts before the final one that failed and were retried. */
  retried?: number;
}

const ts = { seconds: 0, nanos: 0 };
const dur = { seconds: 0, nanos: 5_000_000 };

/** A Cucumber message stream for the given scenarios, as runCucumber emits it. */
function stream(specs: Spec[]): Envelope[] {
  const byUri = new Map<string, Spec[]>();
  for (const s of specs) byUri.set(s.uri ?? 'features/protocol/hygiene.feature', [...(byUri.get(s.uri ?? 'features/protocol/hygiene.feature') ?? []), s]);
  // Cucumber's own enums are string-valued; the literals below are what it emits.
  const out: Envelope[] = [];
  for (const [uri, list] of byUri) {
    out.push({
      gherkinDocument: {
        uri,
        comments: [],
        feature: {
          location: { line: 1 },
          tags: [],
          language: 'en',
          keyword: 'Feature',
          name: `Feature of ${uri}`,
          description: '',
          children: list.map((s) => ({
            scenario: { id: `ast-${s.name}-${s.line}`, location: { line: s.line }, tags: [], keyword: 'Scenario', name: s.name, description: '', steps: [], examples: [] },
          })),
        },
      },
    } as Envelope);
  }
  specs.forEach((s, i) => {
    const uri = s.uri ?? 'features/protocol/hygiene.feature';
    out.push({
      pickle: {
        id: `p${i}`,
        uri,
        name: s.name,
        language: 'en',
        astNodeIds: [`ast-${s.name}-${s.line}`],
        tags: (s.tags ?? []).map((t) => ({ name: t, astNodeId: 'x' })),
        steps: s.steps.slice(1).map((_, j) => ({ id: `p${i}s${j}`, text: `step ${j} of ${s.name}`, astNodeIds: [] })),
      },
    } as unknown as Envelope);
  });
  specs.forEach((s, i) => {
    out.push({
      testCase: {
        id: `tc${i}`,
        pickleId: `p${i}`,
        testSteps: s.steps.map((_, j) => (j === 0 ? { id: `tc${i}h`, hookId: 'h' } : { id: `tc${i}s${j}`, pickleStepId: `p${i}s${j - 1}` })),
      },
    });
  });
  specs.forEach((s, i) => {
    for (let a = 0; a <= (s.retried ?? 0); a++) {
      const final = a === (s.retried ?? 0);
      const started = `tcs${i}a${a}`;
      out.push({ testCaseStarted: { id: started, testCaseId: `tc${i}`, attempt: a, timestamp: ts } });
      if (s.marker) out.push({ attachment: { testCaseStartedId: started, testStepId: `tc${i}h`, mediaType: 'text/x.not-applicable', body: s.marker, contentEncoding: 'IDENTITY' } as Envelope['attachment'] & object });
      if (s.trace) {
        out.push({ attachment: { testCaseStartedId: started, mediaType: 'application/x.radius-trace+json', body: Buffer.from(s.trace).toString('base64'), contentEncoding: 'BASE64' } as Envelope['attachment'] & object });
      }
      s.steps.forEach((status, j) => {
        const st = final ? status : 'FAILED';
        out.push({
          testStepFinished: {
            testCaseStartedId: started,
            testStepId: j === 0 ? `tc${i}h` : `tc${i}s${j}`,
            testStepResult: { status: st, duration: dur, ...(st === 'FAILED' ? { message: 'AssertionError: expected Access-Accept\n  at stack' } : {}) },
            timestamp: ts,
          },
        } as Envelope);
      });
      out.push({ testCaseFinished: { testCaseStartedId: started, willBeRetried: !final, timestamp: ts } });
    }
  });
  return out;
}

const ledger = parseLedger(
  `target: freeradius
deviations:
  - scenario: protocol/hygiene.feature::Responses carry a Message-Authenticator
    reason: FreeRADIUS 3.2.1 predates BlastRADIUS fixes
    link: https://example.org/blastradius
  - scenario: Proxy-State is limited
    reason: limit_proxy_state unknown in 3.2.1
  - scenario: protocol/gone.feature::A scenario that was removed
    reason: stale
`,
  'steps/targets/ledgers/freeradius.yaml',
  'freeradius',
);

test('each verdict kind from a synthetic message stream', () => {
  const envelopes = stream([
    { name: 'Status-Server is answered', line: 3, steps: ['PASSED', 'PASSED', 'PASSED'], trace: '[]' },
    { name: 'Duplicate requests are answered from the cache', line: 9, steps: ['PASSED', 'FAILED', 'SKIPPED'] },
    { name: 'Push is approved', line: 15, tags: ['@needs:push-control'], steps: ['SKIPPED', 'SKIPPED'], marker: 'not applicable: target freeradius lacks push-control, okta-mock' },
    { name: 'Responses carry a Message-Authenticator', line: 20, steps: ['PASSED', 'FAILED'] },
    { name: 'Proxy-State is limited', line: 25, steps: ['PASSED', 'PASSED'] },
  ]);
  const result = computeVerdicts('freeradius', envelopes, ledger);
  const by = new Map(result.verdicts.map((v) => [v.name, v]));
  assert.equal(by.get('Status-Server is answered')!.verdict, 'pass');
  assert.equal(by.get('Status-Server is answered')!.id, 'protocol/hygiene.feature::Status-Server is answered');
  assert.equal(by.get('Status-Server is answered')!.area, 'protocol');
  assert.equal(by.get('Status-Server is answered')!.line, 3);
  assert.deepEqual(result.traces.get('protocol/hygiene.feature::Status-Server is answered'), ['[]']);

  const failed = by.get('Duplicate requests are answered from the cache')!;
  assert.equal(failed.verdict, 'fail');
  assert.match(failed.reason!, /^failed: step 0 of Duplicate requests .*: AssertionError: expected Access-Accept$/);

  const na = by.get('Push is approved')!;
  assert.equal(na.verdict, 'not-applicable');
  assert.deepEqual(na.missing, ['push-control', 'okta-mock']);
  assert.equal(na.reason, 'target freeradius lacks push-control, okta-mock');

  const dev = by.get('Responses carry a Message-Authenticator')!;
  assert.equal(dev.verdict, 'expected-deviation');
  assert.match(dev.reason!, /^FreeRADIUS 3\.2\.1 predates BlastRADIUS fixes \(observed: failed: /);
  assert.equal(dev.ledger!.link, 'https://example.org/blastradius');

  const up = by.get('Proxy-State is limited')!;
  assert.equal(up.verdict, 'unexpected-pass');
  assert.match(up.reason!, /ledger steps\/targets\/ledgers\/freeradius\.yaml lists it/);

  assert.deepEqual(
    result.unmatchedLedgerEntries.map((e) => e.scenario),
    ['protocol/gone.feature::A scenario that was removed'],
  );
  const summary = summarize(result.verdicts);
  assert.equal(formatSummary(summary), '1 passed, 1 failed, 1 not applicable, 1 expected deviations, 1 unexpected passes');
  assert.equal(exitCodeFor(result.verdicts), 1);
});

test('the exit code is zero with only passes, n/a and expected deviations; non-zero on an unexpected pass alone', () => {
  const ok = computeVerdicts(
    'freeradius',
    stream([
      { name: 'a', line: 1, steps: ['PASSED'] },
      { name: 'Responses carry a Message-Authenticator', line: 5, steps: ['PASSED', 'FAILED'] },
      { name: 'c', line: 9, steps: ['SKIPPED'], marker: 'not applicable: target freeradius lacks okta-mock' },
    ]),
    ledger,
  );
  assert.equal(exitCodeFor(ok.verdicts), 0);
  const up = computeVerdicts('freeradius', stream([{ name: 'Proxy-State is limited', line: 1, steps: ['PASSED'] }]), ledger);
  assert.equal(exitCodeFor(up.verdicts), 1);
});

test('a silent skip or an undefined step is a fail, never a pass', () => {
  const r = computeVerdicts(
    'embedded',
    stream([
      { name: 'silently skipped', line: 1, steps: ['PASSED', 'SKIPPED'] },
      { name: 'undefined step', line: 4, steps: ['PASSED', 'UNDEFINED'] },
    ]),
  );
  assert.deepEqual(
    r.verdicts.map((v) => v.verdict),
    ['fail', 'fail'],
  );
  assert.match(r.verdicts[0]!.reason!, /skipped without a not-applicable reason/);
  assert.match(r.verdicts[1]!.reason!, /^undefined: /);
});

test('a retried scenario is judged by its final attempt', () => {
  const r = computeVerdicts('embedded', stream([{ name: 'flaky', line: 1, steps: ['PASSED', 'PASSED'], retried: 1 }]));
  assert.equal(r.verdicts.length, 1);
  assert.equal(r.verdicts[0]!.verdict, 'pass');
});

test('repeated names in one file (outline rows) get distinct ids; a ledger entry by base id covers them all', () => {
  const envelopes = stream([
    { name: 'Factor <f> works', line: 10, steps: ['FAILED'] },
    { name: 'Factor <f> works', line: 11, steps: ['FAILED'] },
  ]);
  const l = parseLedger('deviations:\n  - scenario: protocol/hygiene.feature::Factor <f> works\n    reason: r\n', 'x.yaml', 't');
  const r = computeVerdicts('t', envelopes, l);
  assert.deepEqual(
    r.verdicts.map((v) => [v.id, v.verdict]),
    [
      ['protocol/hygiene.feature::Factor <f> works #1', 'expected-deviation'],
      ['protocol/hygiene.feature::Factor <f> works #2', 'expected-deviation'],
    ],
  );
});

test('an unavailable target makes every scenario not applicable with its reason', () => {
  const scenarios = computeVerdicts('embedded', stream([{ name: 'a', line: 1, steps: ['PASSED'] }])).verdicts;
  const r = unavailableVerdicts('container', scenarios, 'no container runtime');
  assert.equal(r.verdicts[0]!.verdict, 'not-applicable');
  assert.equal(r.verdicts[0]!.reason, 'target container is unavailable: no container runtime');
  assert.equal(exitCodeFor(r.verdicts), 0);
});

test('not-applicable markers are read with or without the prefix', () => {
  assert.deepEqual(parseNotApplicable('not applicable: target x lacks clock-control'), { reason: 'target x lacks clock-control', missing: ['clock-control'] });
  assert.deepEqual(parseNotApplicable('target x is unavailable: nothing listens').missing, []);
});

test('ledger errors name the file and the entry', () => {
  const file = 'steps/targets/ledgers/freeradius.yaml';
  assert.throws(
    () => parseLedger('deviations:\n  - scenario: a\n    reason: r\n  - scenario: Proxy-State copied\n', file, 'freeradius'),
    (e: unknown) => e instanceof LedgerError && /^steps\/targets\/ledgers\/freeradius\.yaml: deviation #2 \(scenario "Proxy-State copied"\): reason: /.test(e.message),
  );
  assert.throws(() => parseLedger('deviations:\n  - scenario: a\n    reason: r\n    reson: typo\n', file, 'freeradius'), /deviation #1 \(scenario "a"\): .*reson/);
  assert.throws(() => parseLedger('deviations:\n  - scenario: a\n    reason: r\n  - scenario: a\n    reason: r2\n', file, 'freeradius'), /deviation #2 \(scenario "a"\): duplicates deviation #1/);
  assert.throws(() => parseLedger('target: process\ndeviations: []\n', file, 'freeradius'), /declares target "process" but is the ledger of target "freeradius"/);
  assert.throws(() => parseLedger('deviations: [unclosed\n', file, 'freeradius'), /freeradius\.yaml: not valid YAML/);
  assert.throws(() => parseLedger('deviation:\n  - scenario: a\n', file, 'freeradius'), /freeradius\.yaml: .*expected \{ target, deviations/);
  assert.deepEqual(parseLedger('', file, 'freeradius').entries, []);
});
