import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOOK_FAILURE_STEP } from '../../../reports/verdicts.ts';
import { couldCatch, failureMatches, judgeControl, judgeZoo, splitFailure, zooExitCode } from './judge.ts';
import { CONTROL_VARIANT, ZOO_VARIANTS, zooVariantOf } from './variants.ts';

const variant = { name: 'ma-last-in-replies', caughtBy: [{ step: /first attribute is Message-Authenticator/ }] };

describe('judgeZoo', () => {
  it('is caught by a failure in the step its caughtBy names, and lists the catching scenarios', () => {
    const j = judgeZoo(variant, [
      { id: 'protocol/radius-hygiene.feature::A', verdict: 'pass' },
      { id: 'secrets/ma.feature::B', verdict: 'fail', reason: "failed: the reply's first attribute is Message-Authenticator: AssertionError: first attribute is type 18" },
      { id: 'x.feature::C', verdict: 'fail', reason: 'failed: she is signed in: drive: the sign-in did not finish within 20000 ms of real time' },
    ]);
    assert.equal(j.caught, true);
    assert.deepEqual(j.caughtBy, ['secrets/ma.feature::B']);
    assert.deepEqual(j.otherFailures, ['x.feature::C']);
    assert.match(j.reason, /caught by 1 scenario/);
  });

  it('is not caught when scenarios fail only for other reasons, and the reason names the variant', () => {
    const j = judgeZoo(variant, [{ id: 'x::C', verdict: 'fail', reason: 'failed: she is signed in: TypeError: boom' }]);
    assert.equal(j.caught, false);
    assert.deepEqual(j.caughtBy, []);
    assert.match(j.reason, /zoo variant ma-last-in-replies was NOT caught.*1 other failure/);
  });

  it('says so when nothing ran on the variant at all', () => {
    const j = judgeZoo(variant, []);
    assert.equal(j.caught, false);
    assert.match(j.reason, /no scenario ran on it/);
  });

  it('is not caught when everything passes', () => {
    const j = judgeZoo(variant, [{ id: 'a', verdict: 'pass' }, { id: 'b', verdict: 'not-applicable', reason: 'lacks x' }]);
    assert.equal(j.caught, false);
    assert.match(j.reason, /NOT caught: no scenario failed/);
  });

  it('never counts a pass, an n/a or a ledgered deviation as catching, even if the reason text matches', () => {
    const reason = "failed: the reply's first attribute is Message-Authenticator: x";
    for (const verdict of ['pass', 'not-applicable', 'expected-deviation', 'unexpected-pass']) {
      assert.equal(judgeZoo(variant, [{ id: 'a', verdict, reason }]).caught, false, verdict);
    }
  });

  it('needs both halves of a pattern that has a step and a message', () => {
    const v = { name: 'v', caughtBy: [{ step: /does not answer/, message: /answered/ }] };
    assert.equal(judgeZoo(v, [{ id: 'a', verdict: 'fail', reason: 'failed: the agent does not answer: AssertionError: the agent answered' }]).caught, true);
    assert.equal(judgeZoo(v, [{ id: 'a', verdict: 'fail', reason: 'failed: the agent does not answer: drive: stuck' }]).caught, false);
    assert.equal(judgeZoo(v, [{ id: 'a', verdict: 'fail', reason: 'failed: she is signed in: the agent answered' }]).caught, false);
  });

  it('an empty pattern or none at all catches nothing', () => {
    const reason = 'failed: anything: at all';
    assert.equal(failureMatches(reason, {}), false);
    const j = judgeZoo({ name: 'lazy', caughtBy: [] }, [{ id: 'a', verdict: 'fail', reason }]);
    assert.equal(j.caught, false);
    assert.match(j.reason, /declares no caughtBy/);
  });

  it('splits "<status>: <step>: <message>", the message keeping its own colons', () => {
    assert.deepEqual(splitFailure('failed: she is refused: AssertionError: a: b'), { step: 'she is refused', message: 'AssertionError: a: b' });
    assert.deepEqual(splitFailure('undefined: a step nobody wrote'), { step: 'a step nobody wrote', message: '' });
  });
});

describe('zooExitCode and the control', () => {
  it('is 0 only when every variant is caught', () => {
    const caught = judgeZoo(variant, [{ id: 'a', verdict: 'fail', reason: "failed: the reply's first attribute is Message-Authenticator: x" }]);
    const missed = judgeZoo(variant, [{ id: 'a', verdict: 'pass' }]);
    assert.equal(zooExitCode([caught]), 0);
    assert.equal(zooExitCode([caught, missed]), 1);
    assert.equal(zooExitCode([]), 1);
  });

  it('the control passes only when nothing failed', () => {
    assert.equal(judgeControl([{ id: 'a', verdict: 'pass' }]).ok, true);
    const bad = judgeControl([{ id: 'a', verdict: 'pass' }, { id: 'b', verdict: 'fail', reason: 'failed: x: y' }]);
    assert.equal(bad.ok, false);
    assert.match(bad.reason, /1 scenario\(s\) failed.*b/);
  });
});

describe('the zoo', () => {
  it('has at least 20 variants with distinct names, a description and a caughtBy pattern each', () => {
    assert.ok(ZOO_VARIANTS.length >= 20, `${ZOO_VARIANTS.length} variants`);
    assert.equal(new Set(ZOO_VARIANTS.map((v) => v.name)).size, ZOO_VARIANTS.length);
    for (const v of ZOO_VARIANTS) {
      assert.match(v.name, /^[a-z0-9-]+$/);
      assert.ok(v.description.length > 20, v.name);
      assert.ok(v.caughtBy.length > 0 && v.caughtBy.every((p) => p.step || p.message), v.name);
    }
    assert.ok(!ZOO_VARIANTS.includes(CONTROL_VARIANT));
  });

  it('covers every area the issue asks for', () => {
    const areas = new Set(ZOO_VARIANTS.map((v) => v.area));
    for (const a of ['radius-hygiene', 'decision-rules', 'timeouts', 'fail-open']) assert.ok(areas.has(a as never), a);
  });
});

describe('couldCatch: the scenarios a variant runs on', () => {
  it('a scenario with a step its caughtBy names could catch it; one without cannot', () => {
    assert.equal(couldCatch(variant, ['she signs in with her code', "the reply's first attribute is Message-Authenticator"]), true);
    assert.equal(couldCatch(variant, ['she signs in with her code', 'she is signed in']), false);
  });

  it('is exactly the judge: a failure in a step the scenario lacks could not have matched', () => {
    // Every failure the judge could count names one of the scenario's steps (or a hook).
    for (const steps of [['she is signed in'], ["the reply's first attribute is Message-Authenticator"], []]) {
      const anyFailure = [...steps, HOOK_FAILURE_STEP].some((step) => failureMatches(`failed: ${step}: AssertionError: x`, variant.caughtBy[0]!));
      assert.equal(couldCatch(variant, steps), anyFailure, steps.join(', '));
    }
  });

  it('a pattern with no step, or one a hook failure would match, keeps every scenario', () => {
    assert.equal(couldCatch({ caughtBy: [{ message: /answered/ }] }, ['anything']), true);
    assert.equal(couldCatch({ caughtBy: [{ step: /hook/ }] }, ['anything']), true);
    assert.equal(couldCatch({ caughtBy: [] }, ['anything']), false);
  });

  it('zoo:<variant> names its variant; the control and other targets run everything', () => {
    assert.equal(zooVariantOf(`zoo:${ZOO_VARIANTS[0]!.name}`), ZOO_VARIANTS[0]);
    assert.equal(zooVariantOf(`zoo:${CONTROL_VARIANT.name}`), undefined);
    assert.equal(zooVariantOf('embedded'), undefined);
    assert.equal(zooVariantOf('zoo:nope'), undefined);
  });

  it('no variant has a step pattern that a hook failure matches (each would run the whole suite)', () => {
    for (const v of ZOO_VARIANTS) for (const p of v.caughtBy) assert.equal(p.step?.test(HOOK_FAILURE_STEP) ?? false, false, v.name);
  });
});
