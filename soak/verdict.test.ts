import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rssKiB, slope } from './rig.ts';
import { verdictOf } from './verdict.ts';

describe('chaos verdicts', () => {
  const r = (answer: 'accept' | 'reject' | 'challenge' | 'lost', delivered = 1, agentAnswered = answer !== 'lost') => ({ answer, delivered, agentAnswered });

  it('an accept is wrong only where a reject is the one right answer', () => {
    assert.equal(verdictOf(r('accept'), true), 'wrong-accept');
    assert.equal(verdictOf(r('accept'), false), 'fine');
    assert.equal(verdictOf(r('reject'), true), 'fine');
    assert.equal(verdictOf(r('challenge'), true), 'fine');
  });

  it('no answer is the agent’s fault only if a copy reached it and it never answered', () => {
    assert.equal(verdictOf(r('lost', 2, false), false), 'unanswered');
    assert.equal(verdictOf(r('lost', 0, false), false), 'lost-on-the-wire');
    // It answered, and the simulated loss ate the reply: not the agent's fault.
    assert.equal(verdictOf(r('lost', 1, true), false), 'lost-on-the-wire');
  });
});

describe('soak measures', () => {
  it('slope is the least-squares slope', () => {
    assert.equal(slope([[0, 10], [1, 12], [2, 14]]), 2);
    assert.equal(slope([[0, 5], [10, 5]]), 0);
    assert.equal(slope([[3, 7]]), 0);
  });

  it('rssKiB reads this process and is undefined for a process that is gone', () => {
    assert.ok((rssKiB(process.pid) ?? 0) > 1000);
    assert.equal(rssKiB(2 ** 22 + 12345), undefined);
  });
});
