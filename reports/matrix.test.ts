import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMatrix, renderMatrixHtml, type TargetRun } from './matrix.ts';
import type { ScenarioVerdict } from './verdicts.ts';

function v(target: string, area: string, name: string, verdict: ScenarioVerdict['verdict'], reason?: string): ScenarioVerdict {
  const uri = `features/${area}/x.feature`;
  return {
    target,
    verdict,
    id: `${area}/x.feature::${name}`,
    baseId: `${area}/x.feature::${name}`,
    name,
    feature: 'X',
    uri,
    line: 3,
    area,
    tags: [],
    noAgent: target === 'simulators',
    pickleId: name,
    ...(reason ? { reason } : {}),
  };
}

test('areas × targets with the right cell status, reasons and drill-down links', () => {
  const runs: TargetRun[] = [
    {
      target: 'embedded',
      capabilities: ['okta-mock'],
      verdicts: [
        { ...v('embedded', 'factors', 'Push <approved>', 'pass'), artifacts: { trace: 'embedded/scenarios/a.trace.html', pcap: 'embedded/scenarios/a.pcap' } },
        v('embedded', 'protocol', 'Status-Server', 'pass'),
      ],
    },
    {
      target: 'freeradius',
      verdicts: [
        v('freeradius', 'factors', 'Push <approved>', 'not-applicable', 'target freeradius lacks okta-mock'),
        v('freeradius', 'protocol', 'Status-Server', 'expected-deviation', 'no MA in replies'),
      ],
    },
    { target: 'container', unavailable: 'no container runtime', verdicts: [v('container', 'factors', 'Push <approved>', 'fail', 'boom')] },
  ];
  const m = buildMatrix(runs, '2025-01-01T00:00:00.000Z');
  assert.deepEqual(
    m.areas.map((a) => [a.area, a.cells.embedded!.status, a.cells.freeradius!.status, a.cells.container!.status]),
    [
      ['factors', 'pass', 'not-applicable', 'fail'],
      ['protocol', 'pass', 'expected-deviation', 'none'],
    ],
  );
  assert.equal(m.areas[0]!.cells.freeradius!.reason, 'target freeradius lacks okta-mock');
  assert.equal(m.scenarios.length, 2);
  assert.equal(m.scenarios[0]!.results.embedded!.artifacts!.pcap, 'embedded/scenarios/a.pcap');
  assert.equal(m.targets[2]!.unavailable, 'no container runtime');
  const html = renderMatrixHtml(m);
  assert.match(html, /<a href="embedded\/scenarios\/a\.trace\.html">trace<\/a>/);
  assert.match(html, /Push &lt;approved&gt;/);
  assert.match(html, /unavailable: no container runtime/);
  assert.match(html, /The run fails:<ul><li>container: 1 failed or passed unexpectedly<\/li>/);
  assert.deepEqual(JSON.parse(JSON.stringify(m)), m, 'the matrix is plain JSON');
});

test('the simulators (@no-agent scenarios) sit apart: not a target, not in any target total, their own column', () => {
  const m = buildMatrix(
    [
      { target: 'freeradius', verdicts: [v('freeradius', 'protocol', 'Status-Server', 'pass')] },
      { target: 'simulators', kind: 'simulators', verdicts: [v('simulators', 'connector-settings', 'Timeout 51 is refused', 'pass')] },
    ],
    '2026-01-01T00:00:00Z',
    { problems: [], notes: [] },
  );
  assert.deepEqual(
    m.targets.map((t) => [t.target, t.summary.total]),
    [['freeradius', 1]],
  );
  assert.equal(m.simulators?.summary.total, 1);
  assert.equal(m.passed, true);
  assert.deepEqual(Object.keys(m.areas.find((a) => a.area === 'connector-settings')!.cells).sort(), ['freeradius', 'simulators']);
  assert.equal(m.areas.find((a) => a.area === 'connector-settings')!.cells.freeradius!.status, 'none');
  const html = renderMatrixHtml(m);
  assert.match(html, /<th class="sim">simulators \(no agent\)<\/th>/);
  const failing = renderMatrixHtml(buildMatrix([], 'now', { problems: ['external: unavailable — nothing answers'], notes: [] }));
  assert.match(failing, /The run fails:<ul><li>external: unavailable — nothing answers<\/li>/);
});
