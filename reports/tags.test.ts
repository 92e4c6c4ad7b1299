import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAPABILITIES } from '../steps/targets/target.ts';
import { checkTags, didYouMean, editDistance, tagsInExpression } from './tags.ts';

const AREAS = ['connector-settings', 'factors', 'protocol'];

test('edit distance and suggestions', () => {
  assert.equal(editDistance('okta-mokc', 'okta-mock'), 2);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(didYouMean('okta-mokc', CAPABILITIES), 'okta-mock');
  assert.equal(didYouMean('completely-different', CAPABILITIES), undefined);
});

test('an unknown @needs capability is an error naming the allowed values, with a did-you-mean', () => {
  const [p] = checkTags(['@needs:push-contol'], 'features/factors/push.feature', 7, AREAS);
  assert.equal(p!.where, 'features/factors/push.feature:7');
  assert.equal(p!.message, `unknown capability "push-contol" in @needs:push-contol. Did you mean "push-control"? Capabilities: ${CAPABILITIES.join(', ')}.`);
  assert.deepEqual(checkTags([...CAPABILITIES.map((c) => `@needs:${c}`), '@area:factors', '@slow', '@browser'], 'features/factors/a.feature', 1, AREAS), []);
});

test("an unknown or foreign @area, an unknown plain tag, and @no-agent with @needs are errors", () => {
  assert.match(checkTags(['@area:factor'], 'features/factors/a.feature', 1, AREAS)[0]!.message, /unknown area "factor" .*Did you mean "factors"\? Areas are the folders under features\/: connector-settings, factors, protocol\./);
  assert.match(checkTags(['@area:protocol'], 'features/factors/a.feature', 1, AREAS)[0]!.message, /a feature's area is its folder, so write @area:factors/);
  assert.match(checkTags(['@slwo'], 'features/factors/a.feature', 1, AREAS)[0]!.message, /unknown tag @slwo\. Did you mean "@slow"\? Allowed: @slow, @browser, @no-agent, @needs:<capability>, @area:<folder>/);
  assert.match(checkTags(['@no-agent', '@needs:okta-mock'], 'features/factors/a.feature', 1, AREAS)[0]!.message, /@no-agent with @needs:okta-mock/);
  assert.deepEqual(checkTags(['@no-agent'], 'features/connector-settings/a.feature', 1, AREAS), []);
});

test('tags in a tag expression', () => {
  assert.deepEqual(tagsInExpression('@area:duo and not (@slow or @needs:push-control)'), ['@area:duo', '@slow', '@needs:push-control']);
});

test('the embedded target offers every capability a @needs tag may name: no scenario is ever not applicable there', async () => {
  const { createTarget } = await import('../steps/targets/embedded.ts');
  const driver = await createTarget();
  try {
    assert.deepEqual([...driver.profile.capabilities].sort(), [...CAPABILITIES].sort());
    // And a @needs tag can only name one of CAPABILITIES (anything else stops the run before it starts).
    assert.equal(checkTags(['@needs:not-a-capability'], 'features/factors/a.feature', 1, AREAS).length, 1);
  } finally {
    await driver.close();
  }
});
