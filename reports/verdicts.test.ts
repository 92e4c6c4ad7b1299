import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { LedgerError, parseLedger } from './ledger.ts';
import { computeVerdicts, exitCodeFor, formatSummary, judgeRun, parseNotApplicable, type ScenarioVerdict, summarize, unavailableVerdicts } from './verdicts.ts';

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
    step: step 0 of Responses carry a Message-Authenticator
    failure: expected Access-Accept
    reason: FreeRADIUS 3.2.1 predates BlastRADIUS fixes
    link: https://example.org/blastradius
  - scenario: protocol/hygiene.feature::Proxy-State is limited
    step: step 0 of Proxy-State is limited
    failure: limit
    reason: limit_proxy_state unknown in 3.2.1
  - scenario: protocol/gone.feature::A scenario that was removed
    step: a step
    failure: anything
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
  assert.equal(failed.noAgent, false);

  const na = by.get('Push is approved')!;
  assert.equal(na.verdict, 'not-applicable');
  assert.deepEqual(na.missing, ['push-control', 'okta-mock']);
  assert.equal(na.reason, 'target freeradius lacks push-control, okta-mock');

  const dev = by.get('Responses carry a Message-Authenticator')!;
  assert.equal(dev.verdict, 'expected-deviation');
  assert.match(dev.reason!, /^FreeRADIUS 3\.2\.1 predates BlastRADIUS fixes \(observed: "step 0 of Responses carry a Message-Authenticator" failed: AssertionError: expected Access-Accept\)$/);
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

test('an unavailable target (allowed) makes every scenario not applicable with its reason', () => {
  const scenarios = computeVerdicts('embedded', stream([{ name: 'a', line: 1, steps: ['PASSED'] }])).verdicts;
  const r = unavailableVerdicts('container', scenarios, 'no container runtime');
  assert.equal(r[0]!.verdict, 'not-applicable');
  assert.equal(r[0]!.reason, 'target container is unavailable: no container runtime');
  assert.equal(r[0]!.unavailable, 'no container runtime');
});

test('not-applicable markers are read with or without the prefix', () => {
  assert.deepEqual(parseNotApplicable('not applicable: target x lacks clock-control'), { reason: 'target x lacks clock-control', missing: ['clock-control'] });
  assert.deepEqual(parseNotApplicable('target x is unavailable: nothing listens').missing, []);
});

test('ledger errors name the file and the entry', () => {
  const file = 'steps/targets/ledgers/freeradius.yaml';
  const ok = (name: string) => `  - scenario: p/x.feature::${name}\n    step: a step\n    failure: boom\n    reason: r\n`;
  assert.throws(
    () => parseLedger(`deviations:\n${ok('a')}  - scenario: p/x.feature::Proxy-State copied\n    step: s\n    failure: f\n`, file, 'freeradius'),
    (e: unknown) => e instanceof LedgerError && /^steps\/targets\/ledgers\/freeradius\.yaml: deviation #2 \(scenario "p\/x\.feature::Proxy-State copied"\): reason: /.test(e.message),
  );
  assert.throws(() => parseLedger(`deviations:\n${ok('a')}    reson: typo\n`, file, 'freeradius'), /deviation #1 \(scenario "p\/x\.feature::a"\): .*reson/);
  assert.throws(() => parseLedger(`deviations:\n${ok('a')}${ok('a')}`, file, 'freeradius'), /deviation #2 \(scenario "p\/x\.feature::a"\): duplicates deviation #1/);
  assert.throws(() => parseLedger('target: process\ndeviations: []\n', file, 'freeradius'), /declares target "process" but is the ledger of target "freeradius"/);
  assert.throws(() => parseLedger('deviations: [unclosed\n', file, 'freeradius'), /freeradius\.yaml: not valid YAML/);
  assert.throws(() => parseLedger('deviation:\n  - scenario: a\n', file, 'freeradius'), /freeradius\.yaml: .*expected \{ target, deviations/);
  assert.throws(() => parseLedger(`deviations:\n${ok('a').replace('boom', '"(unclosed"')}`, file, 'freeradius'), /deviation #1 .*failure: not a valid regular expression/);
  assert.deepEqual(parseLedger('', file, 'freeradius').entries, []);
});

test('an entry in the old format (any failure of a scenario named by name) is refused, saying what to add', () => {
  const old = 'deviations:\n  - scenario: protocol/radius-hygiene.feature::Message-Authenticator is the first attribute of a reject too\n    reason: r\n';
  assert.throws(() => parseLedger(old, 'f.yaml', 'freeradius'), /deviation #1 .*step: step must name the step that fails/);
  const byName = 'deviations:\n  - scenario: Status-Server is answered\n    step: s\n    failure: f\n    reason: r\n';
  assert.throws(() => parseLedger(byName, 'f.yaml', 'freeradius'), /scenario must be the id <path under features\/>::<scenario name>/);
});

test('a ledgered scenario failing at another step, or with another message, is a fail that says what the ledger expected', () => {
  const envelopes = stream([
    { name: 'Responses carry a Message-Authenticator', line: 20, steps: ['PASSED', 'PASSED', 'FAILED'] },
  ]);
  const otherStep = computeVerdicts('freeradius', envelopes, ledger).verdicts[0]!;
  assert.equal(otherStep.verdict, 'fail');
  assert.match(otherStep.reason!, /not the deviation the ledger expects \(step "step 0 of Responses carry a Message-Authenticator" failing with \/expected Access-Accept\/\)/);
  const strict = parseLedger(
    'deviations:\n  - scenario: protocol/hygiene.feature::Responses carry a Message-Authenticator\n    step: step 0 of Responses carry a Message-Authenticator\n    failure: no Message-Authenticator\n    reason: r\n',
    'f.yaml',
    'freeradius',
  );
  const otherMessage = computeVerdicts('freeradius', stream([{ name: 'Responses carry a Message-Authenticator', line: 20, steps: ['PASSED', 'FAILED'] }]), strict).verdicts[0]!;
  assert.equal(otherMessage.verdict, 'fail');
  assert.equal(exitCodeFor([otherStep, otherMessage]), 1);
});

/** Adds attachments to the final attempt of scenario `i` of a stream. */
function withAttachment(envelopes: Envelope[], i: number, mediaType: string, body: string): Envelope[] {
  const at = envelopes.findIndex((e) => e.testCaseStarted?.testCaseId === `tc${i}`);
  const started = envelopes[at]!.testCaseStarted!.id;
  const copy = [...envelopes];
  copy.splice(at + 1, 0, { attachment: { testCaseStartedId: started, mediaType, body, contentEncoding: 'IDENTITY' } as Envelope['attachment'] & object });
  return copy;
}

test("the worker's markers: a deviation reported skipped, an unexpected pass failed in the After hook, a target lost in a worker", () => {
  let envelopes = stream([
    { name: 'Responses carry a Message-Authenticator', line: 20, steps: ['PASSED', 'SKIPPED'] },
    { name: 'Proxy-State is limited', line: 25, steps: ['PASSED', 'PASSED', 'FAILED'] },
    { name: 'Lost', line: 30, steps: ['FAILED', 'SKIPPED'] },
  ]);
  envelopes = withAttachment(envelopes, 0, 'text/x.expected-deviation+json', JSON.stringify({ entry: 'x', step: 'step 0 of Responses carry a Message-Authenticator', message: 'AssertionError: expected Access-Accept' }));
  envelopes = withAttachment(envelopes, 1, 'text/x.unexpected-pass', 'protocol/hygiene.feature::Proxy-State is limited');
  envelopes = withAttachment(envelopes, 2, 'text/x.target-unavailable', 'nothing answers at 127.0.0.1:9');
  const [dev, up, lost] = computeVerdicts('freeradius', envelopes, ledger).verdicts;
  assert.equal(dev!.verdict, 'expected-deviation');
  assert.match(dev!.reason!, /^FreeRADIUS 3\.2\.1 predates BlastRADIUS fixes \(observed: "step 0 of Responses/);
  assert.equal(up!.verdict, 'unexpected-pass');
  assert.equal(lost!.verdict, 'fail');
  assert.equal(lost!.unavailable, 'nothing answers at 127.0.0.1:9');
  assert.equal(lost!.reason, 'target freeradius is unavailable: nothing answers at 127.0.0.1:9');
});

test('@no-agent scenarios are judged under "simulators", never under the target, and no target ledger applies to them', () => {
  const r = computeVerdicts(
    'freeradius',
    stream([
      { name: 'Settings are validated', line: 1, tags: ['@no-agent'], steps: ['PASSED', 'PASSED'] },
      { name: 'Proxy-State is limited', line: 5, tags: ['@no-agent'], steps: ['PASSED', 'PASSED'] },
      { name: 'Agent', line: 9, steps: ['PASSED'] },
    ]),
    ledger,
  );
  assert.deepEqual(
    r.verdicts.map((v) => [v.name, v.target, v.noAgent, v.verdict]),
    [
      ['Settings are validated', 'simulators', true, 'pass'],
      ['Proxy-State is limited', 'simulators', true, 'pass'],
      ['Agent', 'freeradius', false, 'pass'],
    ],
  );
});

test("outline rows: ids and examples from the document; a ledger entry names one row by its example", () => {
  const uri = 'features/protocol/hygiene.feature';
  const cells = (vals: string[]) => vals.map((value, i) => ({ location: { line: 1, column: i + 1 }, value }));
  const envelopes: Envelope[] = [
    {
      gherkinDocument: {
        uri,
        comments: [],
        feature: {
          location: { line: 1 },
          tags: [],
          language: 'en',
          keyword: 'Feature',
          name: 'F',
          description: '',
          children: [
            {
              scenario: {
                id: 'outline',
                location: { line: 3 },
                tags: [],
                keyword: 'Scenario Outline',
                name: '<protocol> is refused',
                description: '',
                steps: [],
                examples: [
                  {
                    id: 'ex',
                    location: { line: 6 },
                    tags: [],
                    keyword: 'Examples',
                    name: '',
                    description: '',
                    tableHeader: { id: 'h', location: { line: 7 }, cells: cells(['protocol', 'reason']) },
                    tableBody: [
                      { id: 'r1', location: { line: 8 }, cells: cells(['CHAP', 'chap']) },
                      { id: 'r2', location: { line: 9 }, cells: cells(['MS-CHAPv2', 'mschap']) },
                    ],
                  },
                ],
              },
            },
          ],
        },
      },
    } as unknown as Envelope,
  ];
  ['r1', 'r2'].forEach((row, i) => {
    envelopes.push({ pickle: { id: `p${i}`, uri, name: 'A protocol is refused', language: 'en', astNodeIds: ['outline', row], tags: [], steps: [{ id: `p${i}s0`, text: 'the agent answers', astNodeIds: [] }] } } as unknown as Envelope);
  });
  ['r1', 'r2'].forEach((_, i) => {
    envelopes.push({ testCase: { id: `tc${i}`, pickleId: `p${i}`, testSteps: [{ id: `tc${i}s0`, pickleStepId: `p${i}s0` }] } } as unknown as Envelope);
    envelopes.push({ testCaseStarted: { id: `st${i}`, testCaseId: `tc${i}`, attempt: 0, timestamp: ts } });
    envelopes.push({ testStepFinished: { testCaseStartedId: `st${i}`, testStepId: `tc${i}s0`, testStepResult: { status: 'FAILED', duration: dur, message: 'no Reply-Message' }, timestamp: ts } } as Envelope);
    envelopes.push({ testCaseFinished: { testCaseStartedId: `st${i}`, willBeRetried: false, timestamp: ts } });
  });
  const l = parseLedger(
    'deviations:\n  - scenario: protocol/hygiene.feature::A protocol is refused\n    example: { protocol: MS-CHAPv2 }\n    step: the agent answers\n    failure: ^no Reply-Message$\n    reason: r\n',
    'x.yaml',
    't',
  );
  const r = computeVerdicts('t', envelopes, l);
  assert.deepEqual(
    r.verdicts.map((v) => [v.id, v.example, v.verdict]),
    [
      ['protocol/hygiene.feature::A protocol is refused #1', { protocol: 'CHAP', reason: 'chap' }, 'fail'],
      ['protocol/hygiene.feature::A protocol is refused #2', { protocol: 'MS-CHAPv2', reason: 'mschap' }, 'expected-deviation'],
    ],
  );
  assert.deepEqual(r.unmatchedLedgerEntries, []);
});

test('the run: failing, unavailable, nothing checked, stale ledger entries; and what --allow-unavailable changes', () => {
  const v = (verdict: ScenarioVerdict['verdict'], extra: Partial<ScenarioVerdict> = {}): ScenarioVerdict =>
    ({ id: 'x', baseId: 'x', name: 'x', feature: 'f', uri: 'u', line: 1, area: 'a', tags: [], noAgent: false, pickleId: 'p', target: 't', verdict, ...extra }) as ScenarioVerdict;
  const pass = judgeRun({ targets: [{ target: 'embedded', verdicts: [v('pass'), v('not-applicable'), v('expected-deviation')] }], simulators: [v('pass')], fullSuite: true, allowUnavailable: false });
  assert.deepEqual(pass, { exitCode: 0, problems: [], runProblems: [], notes: [] });

  const allNa = judgeRun({ targets: [{ target: 'freeradius', verdicts: [v('not-applicable', { reason: 'target freeradius lacks okta-mock' })] }], simulators: [v('pass')], fullSuite: false, allowUnavailable: false });
  assert.equal(allNa.exitCode, 1);
  assert.deepEqual(allNa.problems, ['freeradius: nothing was checked — all 1 selected agent scenarios are not applicable (e.g. target freeradius lacks okta-mock)']);

  const nothing = judgeRun({ targets: [], simulators: [], fullSuite: false, allowUnavailable: false });
  assert.deepEqual(nothing.problems, ['nothing was checked: no scenario ran on any target or simulator']);

  const down = { target: 'external', verdicts: [v('not-applicable')], unavailable: 'nothing answers at 127.0.0.1:9 (no reply to Status-Server within 3 s)' };
  const failed = judgeRun({ targets: [down, { target: 'embedded', verdicts: [v('pass')] }], simulators: [], fullSuite: false, allowUnavailable: false });
  assert.deepEqual(failed.problems, ['external: unavailable — nothing answers at 127.0.0.1:9 (no reply to Status-Server within 3 s)']);
  assert.ok(!failed.problems.join('\n').includes('RMH_REQUIRE_TARGETS'));
  const allowed = judgeRun({ targets: [down, { target: 'embedded', verdicts: [v('pass')] }], simulators: [], fullSuite: false, allowUnavailable: true });
  assert.equal(allowed.exitCode, 0);
  assert.match(allowed.notes[0]!, /^external: unavailable — .*allowed by --allow-unavailable/);
  const onlyDownAllowed = judgeRun({ targets: [down], simulators: [], fullSuite: false, allowUnavailable: true });
  assert.equal(onlyDownAllowed.exitCode, 1, 'allowed, but then nothing at all was checked');

  const lost = judgeRun({ targets: [{ target: 'external', verdicts: [v('fail', { unavailable: 'nothing listens at 127.0.0.1:9 (port unreachable)' }), v('fail', { unavailable: 'nothing listens at 127.0.0.1:9 (port unreachable)' })] }], simulators: [], fullSuite: false, allowUnavailable: false });
  assert.deepEqual(lost.problems.filter((p) => p.includes('unavailable')), ['external: became unavailable during the run — nothing listens at 127.0.0.1:9 (port unreachable) (2 scenarios could not run)']);

  const entry = ledger.entries[2]!;
  const stale = judgeRun({ targets: [{ target: 'freeradius', verdicts: [v('pass')], unmatchedLedgerEntries: [entry], ledgerFile: 'l.yaml' }], simulators: [], fullSuite: true, allowUnavailable: false });
  assert.deepEqual(stale.problems, ['freeradius: ledger entry "protocol/gone.feature::A scenario that was removed" (l.yaml) names no scenario: fix or remove it']);
  const partial = judgeRun({ targets: [{ target: 'freeradius', verdicts: [v('pass')], unmatchedLedgerEntries: [entry] }], simulators: [], fullSuite: false, allowUnavailable: false });
  assert.equal(partial.exitCode, 0);
  assert.equal(partial.notes.length, 1);

  const sim = judgeRun({ targets: [{ target: 'embedded', verdicts: [v('pass')] }], simulators: [v('fail')], fullSuite: false, allowUnavailable: false });
  assert.deepEqual(sim.problems, ['simulators: 1 failed']);
  assert.deepEqual(sim.runProblems, [], 'a failing scenario is its own JUnit test case already');
});

test("a failed scenario's screenshot and Playwright trace are kept for the reports, with their names", () => {
  let envelopes = stream([{ name: 'Sign in on the page', line: 3, tags: ['@browser'], steps: ['PASSED', 'FAILED'] }]);
  const at = envelopes.findIndex((e) => e.testCaseStarted);
  const started = envelopes[at]!.testCaseStarted!.id;
  envelopes = [
    ...envelopes.slice(0, at + 1),
    { attachment: { testCaseStartedId: started, mediaType: 'image/png', body: Buffer.from('png').toString('base64'), contentEncoding: 'BASE64', fileName: 'sign-in-page.png' } as Envelope['attachment'] & object },
    { attachment: { testCaseStartedId: started, mediaType: 'application/zip', body: Buffer.from('zip').toString('base64'), contentEncoding: 'BASE64', fileName: 'Sign-in.playwright-trace.zip' } as Envelope['attachment'] & object },
    ...envelopes.slice(at + 1),
  ];
  const r = computeVerdicts('embedded', envelopes);
  const kept = r.files.get('protocol/hygiene.feature::Sign in on the page')!;
  assert.deepEqual(
    kept.map((f) => [f.fileName, f.mediaType, Buffer.from(f.body, 'base64').toString()]),
    [
      ['sign-in-page.png', 'image/png', 'png'],
      ['Sign-in.playwright-trace.zip', 'application/zip', 'zip'],
    ],
  );
});
