import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { diagnoseStep } from './step-lint.ts';
import { CAPABILITIES } from '../targets/target.ts';
import { didYouMean, editDistance, WORD_SETS } from './words.ts';

const PATTERNS = [
  { pattern: '{user} is a WorkSpaces user', example: 'Given Alice is a WorkSpaces user' },
  { pattern: '{user} signs in( to WorkSpaces) with {whose} current {factor}', example: 'When she signs in to WorkSpaces with her current Okta Verify code' },
  { pattern: 'the agent dropped {count} request(s) as {dropReason}', example: 'And the agent dropped 1 request as "malformed"' },
  { pattern: '{duration} pass(es)', example: 'When 1 minute passes' },
];

test('a step that matches is not diagnosed', () => {
  assert.equal(diagnoseStep('Alice is a WorkSpaces user', PATTERNS), undefined);
  assert.equal(diagnoseStep("Bob signs in to WorkSpaces with Alice's current Okta Verify code", PATTERNS), undefined);
  assert.equal(diagnoseStep('the agent dropped no requests as "unknown-client"', PATTERNS), undefined);
});

test('a misspelt word is named with the allowed values and the closest one', () => {
  assert.match(diagnoseStep('Alise is a WorkSpaces user', PATTERNS) ?? '', /"Alise" is not a valid \{user\}: \{user\} must be one of: Alice, Bob.*\(did you mean "Alice"\?\)/);
  assert.match(diagnoseStep('she signs in with her current Google Authentcator code', PATTERNS) ?? '', /did you mean "Google Authenticator code"/);
  assert.match(diagnoseStep('the agent dropped 1 request as "unknown client"', PATTERNS) ?? '', /\{dropReason\} must be one of: malformed, .*\(did you mean "unknown-client"\?\)/);
  assert.match(diagnoseStep('3 fortnights pass', PATTERNS) ?? '', /\{duration\} is a number and a unit/);
});

test('a step like no catalogued one points at the closest example and the catalogue', () => {
  assert.match(diagnoseStep('Alice is a WorkSpace user', PATTERNS) ?? '', /closest is "Given Alice is a WorkSpaces user".*npm run steps/);
});

test('did-you-mean only suggests a close value', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(didYouMean('Alise', ['Alice', 'Bob']), 'Alice');
  assert.equal(didYouMean('Zebediah', ['Alice', 'Bob']), undefined);
});

test('features/README.md lists every allowed word of every placeholder', () => {
  const readme = readFileSync(new URL('../../features/README.md', import.meta.url), 'utf8');
  for (const set of WORD_SETS) {
    assert.ok(readme.includes(`\`{${set.name}}\``), `features/README.md does not describe {${set.name}}`);
    for (const v of set.values ?? []) {
      if (set.name === 'whose' && v.endsWith("'s")) continue; // listed as "Alice's … Judy's"
      assert.ok(readme.includes(v), `features/README.md does not list "${v}" for {${set.name}}`);
    }
  }
});

test('features/README.md explains every capability a scenario may need', () => {
  const readme = readFileSync(new URL('../../features/README.md', import.meta.url), 'utf8');
  for (const c of CAPABILITIES) assert.ok(readme.includes(`\`${c}\``), `features/README.md does not explain the capability ${c}`);
});
