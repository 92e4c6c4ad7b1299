import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatPath, loadSeedFile, parseSeed, validateSeed } from './seed.ts';

const EXAMPLE = fileURLToPath(new URL('./examples/workspaces.yaml', import.meta.url));

/** The refused seed's error, for asserting on its code, path, line and message. */
function refusal(text: string): { code: string; message: string; details: { file: string; path: string; problems: Array<{ path: string; line?: number; message: string }> } } {
  try {
    parseSeed(text, 'lab.yaml');
  } catch (e) {
    return e as ReturnType<typeof refusal>;
  }
  assert.fail('the seed was accepted');
}

const HEAD = `org: { name: CORP Okta }
users:
`;

test('the example seed parses, with defaults filled in', async () => {
  const seed = await loadSeedFile(EXAMPLE);
  assert.equal(seed.org.name, 'CORP Okta');
  assert.equal(seed.app.label, 'Amazon WorkSpaces');
  assert.equal(seed.directory.domain, 'CORP');
  const alice = seed.users[0]!;
  assert.equal(alice.oktaStatus, 'ACTIVE');
  assert.equal(alice.adState, 'enabled');
  assert.equal(alice.assigned, true);
  assert.equal(alice.factors[0]!.status, 'active');
});

test('a wrong factor type is refused naming the file, line, path and the allowed values', () => {
  const e = refusal(`${HEAD}  - login: a@x.example
    password: p
    phones: [{ name: a-phone, number: "+15555550101" }]
  - login: b@x.example
    password: p
  - login: c@x.example
    password: p
    phones: [{ name: c-phone, number: "+15555550103" }]
    factors:
      - type: carrier-pigeon
`);
  assert.equal(e.code, 'LAB_SEED_INVALID');
  assert.equal(e.details.path, 'users[2].factors[0].type');
  assert.equal(e.details.file, 'lab.yaml');
  assert.equal(e.details.problems[0]!.line, 12);
  assert.match(e.message, /^Seed lab\.yaml:12: users\[2\]\.factors\[0\]\.type: .*push.*; fix the seed file/);
});

test('missing required fields and unknown keys are named by path', () => {
  let e = refusal(`${HEAD}  - login: a@x.example\n`);
  assert.equal(e.details.path, 'users[0].password');
  e = refusal(`${HEAD}  - login: a@x.example\n    password: p\n    pasword: typo\n`);
  assert.equal(e.details.path, 'users[0]');
  assert.match(e.message, /pasword/);
  e = refusal('users: []\n');
  assert.deepEqual(
    e.details.problems.map((p) => p.path),
    ['org', 'users'],
  );
});

test('cross-references: a factor on a phone the user does not have, or no phone named among several', () => {
  let e = refusal(`${HEAD}  - login: a@x.example
    password: p
    phones: [{ name: a-phone, number: "+15555550101" }]
    factors: [{ type: push, phone: b-phone }]
`);
  assert.equal(e.details.path, 'users[0].factors[0].phone');
  assert.match(e.message, /no phone "b-phone" among this user's phones \(a-phone\)/);
  e = refusal(`${HEAD}  - login: a@x.example
    password: p
    phones: [{ name: p1, number: "+15555550101" }, { name: p2, number: "+15555550102" }]
    factors: [{ type: sms }]
`);
  assert.equal(e.details.path, 'users[0].factors[0].phone');
  assert.match(e.message, /several phones \(p1, p2\)/);
  e = refusal(`${HEAD}  - login: a@x.example
    password: p
    factors: [{ type: call }]
`);
  assert.match(e.message, /needs a phone/);
});

test('duplicates: logins, phone numbers, one-per-user factors, two pushes on one phone', () => {
  const e = refusal(`${HEAD}  - login: a@x.example
    password: p
    phones: [{ name: p1, number: "+15555550101" }]
    factors: [{ type: sms }, { type: sms }, { type: push }, { type: push }]
  - login: A@x.example
    password: p
    phones: [{ name: p2, number: "+15555550101" }]
`);
  assert.deepEqual(
    e.details.problems.map((p) => p.path),
    ['users[0].factors[1].type', 'users[0].factors[3].phone', 'users[1].login', 'users[1].sAMAccountName', 'users[1].phones[0].number'],
  );
  assert.match(e.message, /and 4 more problems/);
});

test('field checks: E.164 numbers, push behaviour text, secrets, provider only on totp', () => {
  let e = refusal(`${HEAD}  - login: a@x.example\n    password: p\n    phones: [{ name: p1, number: "555-0101" }]\n`);
  assert.equal(e.details.path, 'users[0].phones[0].number');
  assert.match(e.message, /E\.164/);
  e = refusal(`${HEAD}  - login: a@x.example\n    password: p\n    phones: [{ name: p1, number: "+15555550101", pushBehaviour: sometimes }]\n`);
  assert.equal(e.details.path, 'users[0].phones[0].pushBehaviour');
  e = refusal(`${HEAD}  - login: a@x.example\n    password: p\n    phones: [{ name: p1, number: "+15555550101" }]\n    factors: [{ type: totp, secret: "not!base32" }]\n`);
  assert.equal(e.details.path, 'users[0].factors[0].secret');
  e = refusal(`${HEAD}  - login: a@x.example\n    password: p\n    phones: [{ name: p1, number: "+15555550101" }]\n    factors: [{ type: sms, provider: GOOGLE }]\n`);
  assert.equal(e.details.path, 'users[0].factors[0].provider');
});

test('YAML syntax errors give the line', () => {
  const e = refusal('org:\n  name: x\nusers:\n  - login: [unclosed\n');
  assert.equal(e.code, 'LAB_SEED_INVALID');
  assert.ok(e.details.problems[0]!.line! >= 4);
  assert.match(e.message, /YAML/);
});

test('a seed given as an object gets the same checks (source named)', () => {
  assert.throws(() => validateSeed({ org: { name: 'x' }, users: [{ login: 'a' }] }, 'inline'), (e: unknown) => {
    const ce = e as { code: string; message: string };
    return ce.code === 'LAB_SEED_INVALID' && /^Seed inline: users\[0\]\.password/.test(ce.message);
  });
});

test('errors never echo passwords or secrets', () => {
  const e = refusal(`${HEAD}  - login: a@x.example\n    password: Sup3r-Secret\n    factors: [{ type: email, secret: JBSWY3DPEHPK3PXP }]\n`);
  assert.doesNotMatch(JSON.stringify({ m: e.message, d: e.details }), /Sup3r-Secret|JBSWY3DPEHPK3PXP/);
});

test('an unreadable file is its own error naming the file', async () => {
  await assert.rejects(loadSeedFile('/nonexistent/seed.yaml'), { code: 'LAB_SEED_UNREADABLE', message: /\/nonexistent\/seed\.yaml.*no such file/ });
});

test('paths format as users[2].factors[0].type', () => {
  assert.equal(formatPath(['users', 2, 'factors', 0, 'type']), 'users[2].factors[0].type');
  assert.equal(formatPath([]), '');
});
