import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { globSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeLeaks, type KnownSecret, listFiles, readLedger, recordSecret, SECRET_KINDS, scanBuffer, scanTree } from './secret-scan.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The lab's shared secret, read from its source under steps/support (importing the World would register Cucumber support code). */
const LAB_SECRET = globSync('steps/support/**/*.ts', { cwd: ROOT })
  .map((f) => /export const LAB_SECRET = '([^']+)'/.exec(readFileSync(join(ROOT, f), 'utf8'))?.[1])
  .find((v) => v !== undefined);
const SEED: KnownSecret = { kind: 'totp-seed', value: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', source: 'unit' };
const SECRET: KnownSecret = { kind: 'shared-secret', value: 'a"quoted"<secret>&more', source: 'unit' };

describe('secret scan: the scanner', () => {
  const scan = (text: string | Buffer, secrets: KnownSecret[], file = 'f.txt') => scanBuffer(file, Buffer.isBuffer(text) ? text : Buffer.from(text), secrets);

  it('finds a secret as written and in every encoding a report uses', () => {
    const v = SECRET.value;
    const encoded: Record<string, string> = {
      raw: `x ${v} y`,
      json: JSON.stringify({ note: `pre ${v} post` }),
      html: `<p>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}</p>`,
      url: `?q=${encodeURIComponent(v)}&z=1`,
      hex: `bytes: 0102${Buffer.from(v).toString('hex')}ff`,
    };
    for (const [encoding, text] of Object.entries(encoded)) {
      const leaks = scan(text, [SECRET]);
      assert.ok(leaks.some((l) => l.encoding === encoding), `${encoding}: ${describeLeaks(leaks)}`);
    }
  });

  it('finds a secret inside base64 at any alignment (attachments, embedded messages)', () => {
    for (const prefix of ['', 'a', 'ab', 'abc', 'abcd']) {
      const b64 = Buffer.from(`${prefix}${SEED.value}tail`).toString('base64');
      assert.ok(scan(`"body":"${b64}"`, [SEED]).some((l) => l.encoding === 'base64'), `prefix ${prefix.length}`);
    }
  });

  it('decodes base64 attachments of a message stream', () => {
    const line = JSON.stringify({ attachment: { body: Buffer.from(`trace with ${SEED.value}`).toString('base64'), contentEncoding: 'BASE64' } });
    const leaks = scan(`{"meta":{}}\n${line}\n`, [SEED], 'run/messages.ndjson');
    assert.ok(leaks.some((l) => l.file === 'run/messages.ndjson (attachment)'), describeLeaks(leaks));
  });

  it('matches passcodes only as whole numbers', () => {
    const code: KnownSecret = { kind: 'passcode', value: '492817' };
    assert.equal(scan('"nanos":1492817000,"id":44928170', [code]).length, 0);
    assert.equal(scan('"id":"9e78d5c2-8227-c8e7c492817e","duration":{"seconds":0,"nanos":492817}', [code]).length, 0);
    assert.equal(scan('User-Password: 492817.', [code]).length, 1);
    assert.equal(scan('"code":"492817"', [code]).length, 1);
  });

  it('finds the shapes no report may contain, whatever the ledger says', () => {
    const token = `00${'A'.repeat(20)}-_${'b'.repeat(18)}`;
    assert.deepEqual(scan(`auth ${token} end`, []).map((l) => l.kind), ['api-token']);
    assert.deepEqual(scan('Authorization: SSWS 00abcdefghijklmnopqrstuv', []).map((l) => l.kind), ['api-token']);
    assert.deepEqual(scan('otpauth://totp/Okta:alice?secret=JBSWY3DP', []).map((l) => l.kind), ['totp-seed']);
    assert.deepEqual(scan('typed Correct-Horse-Alice-3! here', []).map((l) => l.kind), ['password']);
    assert.equal(scan('ids 00u1abcdefghijklmnop and nothing else', []).length, 0);
  });

  it('a clean text has no leak, and a leak report never holds the secret', () => {
    assert.deepEqual(scan('nothing to see here', [SECRET, SEED]), []);
    const report = describeLeaks(scan(`x ${SEED.value}`, [SEED]));
    assert.match(report, /f\.txt@2: totp-seed \(raw\) from unit/);
    assert.ok(!report.includes(SEED.value));
  });

  it('the ledger: lines appended, duplicates kept once, malformed lines refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmh-ledger-'));
    try {
      const file = join(dir, 'ledger.jsonl');
      recordSecret('password', 'pw-1', 's1', file);
      recordSecret('password', 'pw-1', 's2', file);
      recordSecret('passcode', undefined, 's3', file);
      recordSecret('passcode', '123456', undefined, '');
      assert.deepEqual(readLedger(file), [{ kind: 'password', value: 'pw-1', source: 's1' }]);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      writeFileSync(file, '{"kind":"nonsense","value":"x"}\n');
      assert.throws(() => readLedger(file), /line 1: expected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A real conformance run on the embedded agent — sign-ins with TOTP codes, SMS,
 * push, Duo, the password modes, raw packets and the secret scenarios — into
 * a temporary folder, with the ledger on; then every file it wrote is scanned
 * for every secret the ledger lists, plus the lab's constants.
 */
describe('secret scan: a full run writes no secret into its reports', () => {
  let dir: string;
  let out: string;
  let ledger: string;
  let run: ReturnType<typeof spawnSync>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmh-secret-scan-'));
    out = join(dir, 'out');
    ledger = join(dir, 'ledger.jsonl'); // outside the report folder: the ledger itself holds the secrets
    run = spawnSync(
      process.execPath,
      ['bin/radius-mfa-harness.js', 'run', '--target', 'embedded', '--out', out, '--area', 'factors,duo,modes,protocol,secrets', '--ci'],
      { cwd: ROOT, env: { ...process.env, RMH_SECRET_LEDGER: ledger }, encoding: 'utf8', timeout: 240_000 },
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the run used every kind of secret and the ledger recorded them', () => {
    assert.ok(statSync(join(out, 'embedded', 'messages.ndjson')).size > 0, `the run wrote its message stream:\n${String(run.stdout).slice(-2000)}`);
    const kinds = new Set(readLedger(ledger).map((s) => s.kind));
    for (const k of SECRET_KINDS) assert.ok(kinds.has(k), `the ledger has a ${k} (it has: ${[...kinds].join(', ')}); did the sign-ins run?\n${String(run.stdout).slice(-3000)}`);
  });

  it('no report file holds any of them, in any encoding', () => {
    assert.ok(LAB_SECRET, 'LAB_SECRET is still declared under steps/support');
    const secrets: KnownSecret[] = [
      ...readLedger(ledger),
      // The lab's constants, whatever the ledger says.
      { kind: 'shared-secret', value: LAB_SECRET, source: 'LAB_SECRET (steps/support)' },
    ];
    const result = scanTree(out, secrets);
    assert.ok(result.files >= 5, `scanned ${result.files} files`);
    assert.deepEqual(result.leaks, [], `secrets in the reports:\n${describeLeaks(result.leaks)}`);
    // For the note: how much was scanned against how many secrets.
    console.log(`secret scan: ${result.files} files, ${result.bytes} bytes, ${secrets.length} secrets (${SECRET_KINDS.map((k) => `${k} ${secrets.filter((s) => s.kind === k).length}`).join(', ')}): 0 leaks`);
  });

  it('the same scan finds a secret planted in a copy of the real reports', () => {
    const secrets = readLedger(ledger);
    const seed = secrets.find((s) => s.kind === 'totp-seed');
    const passcode = secrets.find((s) => s.kind === 'passcode');
    assert.ok(seed && passcode);
    const planted = join(dir, 'planted');
    const ndjson = readFileSync(join(out, 'embedded', 'messages.ndjson'), 'utf8');
    mkdirSync(planted);
    // A trace attachment (base64) that carries the seed as hex, and a log line with the passcode.
    const attachment = JSON.stringify({ attachment: { body: Buffer.from(`{"bytes":"${Buffer.from(seed.value).toString('hex')}"}`).toString('base64'), contentEncoding: 'BASE64' } });
    writeFileSync(join(planted, 'messages.ndjson'), `${ndjson}${attachment}\n`);
    writeFileSync(join(planted, 'agent.log'), `{"msg":"decision","answer":"${passcode.value}"}\n`);
    const found = scanTree(planted, secrets).leaks;
    assert.ok(found.some((l) => l.kind === 'totp-seed' && l.encoding === 'hex' && l.file === 'messages.ndjson (attachment)'), describeLeaks(found));
    assert.ok(found.some((l) => l.kind === 'passcode' && l.file === 'agent.log'), describeLeaks(found));
    assert.equal(listFiles(planted).length, 2);
  });
});
