import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentAccount, counterGrowth, counterSamples, firstToBreak } from './agent-metrics.ts';

const before = `# HELP radius_mfa_requests_total Decisions
# TYPE radius_mfa_requests_total counter
radius_mfa_requests_total{app="workspaces",result="accept",reason="passcode-accepted"} 10
radius_mfa_requests_total{app="other",result="accept",reason="passcode-accepted"} 1
radius_mfa_dropped_packets_total{reason="duplicate-in-progress"} 2
`;
const after = `# TYPE radius_mfa_requests_total counter
radius_mfa_requests_total{app="workspaces",result="accept",reason="passcode-accepted"} 54
radius_mfa_requests_total{app="other",result="accept",reason="passcode-accepted"} 1
radius_mfa_requests_total{app="workspaces",result="reject",reason="request-queue-full"} 1381
radius_mfa_requests_total{app="workspaces",result="reject",reason="passcode-invalid"} 22
radius_mfa_requests_total_created{app="x",reason="y"} 1700000000
radius_mfa_dropped_packets_total{reason="duplicate-in-progress"} 6
radius_mfa_dropped_packets_total{reason="label \\"quoted\\""} 1
`;

describe('agent metrics for the load mode', () => {
  it('reads samples of one metric with their labels, and nothing else', () => {
    const s = counterSamples(after, 'radius_mfa_dropped_packets_total');
    assert.deepEqual(s, [
      { labels: { reason: 'duplicate-in-progress' }, value: 6 },
      { labels: { reason: 'label "quoted"' }, value: 1 },
    ]);
    assert.equal(counterSamples(after, 'radius_mfa_requests_total').length, 4, 'the _created series is another metric');
  });

  it('counts growth between scrapes per label, summed over the other labels, largest first', () => {
    assert.deepEqual(counterGrowth(before, after, 'radius_mfa_requests_total', 'reason'), [
      { key: 'request-queue-full', count: 1381 },
      { key: 'passcode-accepted', count: 44 },
      { key: 'passcode-invalid', count: 22 },
    ]);
    assert.deepEqual(agentAccount(before, after).drops, [
      { key: 'duplicate-in-progress', count: 4 },
      { key: 'label "quoted"', count: 1 },
    ]);
  });

  it('names what broke first with what to do, or nothing when no limit was hit', () => {
    const account = agentAccount(before, after);
    assert.match(firstToBreak(account) ?? '', /request threads were all busy 1381 time\(s\).*defaults to 15.*--request-threads N.*--concurrency/);
    assert.match(firstToBreak(account, 64) ?? '', /requestThreads 64/);
    assert.match(firstToBreak({ reasons: [{ key: 'okta-unavailable', count: 3 }], drops: [] }) ?? '', /^3 sign-in\(s\) ended as okta-unavailable/);
    assert.match(firstToBreak({ reasons: [{ key: 'request-timeout', count: 2 }], drops: [] }) ?? '', /^2 sign-in\(s\) hit the agent's total request time-out.*defaults to 20\/s.*--okta-calls-per-second N/);
    assert.match(firstToBreak({ reasons: [{ key: 'request-timeout', count: 2 }], drops: [] }, undefined, 500) ?? '', /okta\.callsPerSecond 500\)/);
    assert.equal(firstToBreak({ reasons: [{ key: 'passcode-accepted', count: 9 }], drops: [] }), undefined);
  });
});
