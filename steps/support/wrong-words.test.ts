// Issue 17 ("verdicts you can trust"): a scenario a QA author gets wrong must
// fail, and say what is wrong — the wrong person, another person's code, a
// misspelt word, a reason that isn't sent, a pronoun that doesn't fit, a silent
// agent that is in fact dead. Each scenario below is run by plain cucumber-js
// against the embedded agent and judged by reports/verdicts.ts; every one of
// them passed (or failed for another reason) on the code before this change.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { computeVerdicts } from '../../reports/verdicts.ts';

const root = new URL('../../', import.meta.url).pathname;

interface Case {
  name: string;
  lines: string[];
  /** The verdict's reason must match this; undefined: the scenario must pass. */
  fails?: RegExp;
}

const ALICE = ['Given Alice is a WorkSpaces user', 'And Alice has Okta Verify on her phone'];
const BOB = ['And Bob is a WorkSpaces user', 'And Bob has Okta Verify on his phone'];

const CASES: Case[] = [
  {
    name: 'Then-step naming a person who did not sign in',
    lines: [...ALICE, ...BOB, 'When Alice signs in to WorkSpaces with her current Okta Verify code', 'Then Bob is signed in'],
    fails: /Bob has not signed in in this scenario \(sign-ins so far: Alice\)/,
  },
  {
    name: "Bob typing Alice's current code is not signed in",
    lines: [...ALICE, ...BOB, "When Bob signs in to WorkSpaces with Alice's current Okta Verify code", 'Then Bob is signed in'],
    fails: /Bob was not signed in: mfa-rejected/,
  },
  {
    name: "Bob typing Alice's current code is rejected by the agent",
    lines: [...ALICE, ...BOB, "When Bob signs in to WorkSpaces with Alice's current Okta Verify code", 'Then Bob is rejected by the agent', 'And he is rejected by the agent with a Reply-Message'],
  },
  {
    name: 'a misspelt person',
    lines: ['Given Alise is a WorkSpaces user'],
    fails: /"Alise" is not a valid \{user\}: \{user\} must be one of: Alice, Bob, .* \(did you mean "Alice"\?\)/,
  },
  {
    name: 'a misspelt drop reason',
    lines: [...ALICE, "When a RADIUS client sends Alice's current Okta Verify code without a Message-Authenticator", 'Then the agent dropped 1 request as "missing-message-authentcator"'],
    fails: /"missing-message-authentcator" is not a valid \{dropReason\}: .*malformed.*\(did you mean "missing-message-authenticator"\?\)/,
  },
  {
    name: 'a misspelt factor',
    lines: [...ALICE, 'When she signs in to WorkSpaces with her current Okta Verfy code'],
    fails: /"Okta Verfy code" is not a valid \{factor\}: .*\(did you mean "Okta Verify code"\?\)/,
  },
  {
    name: 'a misspelt duration unit',
    lines: [...ALICE, 'When 2 minuts pass'],
    fails: /"2 minuts" is not a valid \{duration\}: \{duration\} is a number and a unit/,
  },
  {
    name: 'a reason that is not sent',
    lines: [...ALICE, 'When she signs in to WorkSpaces with a wrong Okta Verify code', 'Then she is rejected by the agent with a message containing "Duo"'],
    fails: /Alice's Reply-Message ".*" does not contain "Duo"/,
  },
  {
    name: 'a refusal at the password check is not a rejection by the agent',
    lines: [...ALICE, 'When she signs in to WorkSpaces with the password "not-her-password" and her current Okta Verify code', 'Then she is rejected by the agent'],
    fails: /expected an Access-Reject from the agent, got password-rejected/,
  },
  {
    name: 'a pronoun that does not fit the person',
    lines: [...ALICE, ...BOB, 'When she signs in to WorkSpaces with her current Okta Verify code'],
    fails: /"she" refers to Bob \(the person last named\)/,
  },
  {
    name: 'no SMS from a dead agent proves nothing',
    lines: [...ALICE, 'And Alice can receive codes by SMS', 'Given the agent under test has crashed', 'When she signs in to WorkSpaces with her current Okta Verify code', 'Then no code was sent to her by SMS'],
    fails: /Alice's last sign-in got no answer from the agent \(mfa-timeout\)/,
  },
  {
    name: 'silence from a dead agent proves nothing',
    lines: [...ALICE, 'Given the agent under test has crashed', "When a RADIUS client sends Alice's current Okta Verify code", 'Then the agent does not answer'],
    fails: /did not answer a known-good request afterwards either/,
  },
];

// A step only this test has: the agent stops answering anything, as a crashed or wedged agent does.
const CRASH_STEPS = `
import { stepsFor } from ${JSON.stringify(new URL('./catalogue.ts', import.meta.url).href)};
const { Given } = stepsFor('test-only');
Given('the agent under test has crashed', { description: 'Stops the agent (test only).', example: 'Given the agent under test has crashed' }, async function () {
  await this.ready();
  await this.agent.stop();
});
`;

test('scenarios that name the wrong person, type another person\u2019s code, misspell a word or trust silence fail with a message that says what is wrong', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rmh-wrong-words-'));
  try {
    const feature = join(dir, 'wrong-words.feature');
    writeFileSync(
      feature,
      ['@area:factors @needs:okta-mock', 'Feature: What QA may get wrong', '', ...CASES.flatMap((c) => [`  Scenario: ${c.name}`, ...c.lines.map((l) => `    ${l}`), ''])].join('\n'),
    );
    const crash = join(dir, 'crash.steps.ts');
    writeFileSync(crash, CRASH_STEPS);
    const messages = join(dir, 'messages.ndjson');
    const r = spawnSync(
      process.execPath,
      [join(root, 'node_modules/@cucumber/cucumber/bin/cucumber.js'), feature, '--import', 'steps/support/**/!(*.test).ts', '--import', 'steps/**/*.steps.ts', '--import', crash, '--format', `message:${messages}`],
      { cwd: root, encoding: 'utf8', timeout: 180_000, env: { ...process.env, RMH_TARGET: 'embedded', RMH_PARALLEL: '0' } },
    );
    const envelopes = readFileSync(messages, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Envelope);
    const { verdicts } = computeVerdicts('embedded', envelopes);
    assert.equal(verdicts.length, CASES.length, `verdicts for every case:\n${r.stdout}\n${r.stderr}`);
    for (const c of CASES) {
      const v = verdicts.find((x) => x.name === c.name);
      assert.ok(v, `no verdict for "${c.name}"`);
      if (!c.fails) {
        assert.equal(v.verdict, 'pass', `"${c.name}" should pass: ${v.reason}`);
        continue;
      }
      assert.equal(v.verdict, 'fail', `"${c.name}" should fail, got ${v.verdict}`);
      assert.match(v.reason ?? '', c.fails, `"${c.name}" failed for another reason`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
