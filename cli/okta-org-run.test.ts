/**
 * `radius-mfa-harness run --okta-org`: the Management-API World against an
 * org the harness reaches only over HTTPS — here the lab's mock Okta served
 * by this test on real time with a CA of its own, standing in for a real test
 * org. The harness (a child process) creates its users, assigns them, enrols
 * and activates their TOTP factors and changes their states through the
 * Management API, points the agent under test (in-process, and a process)
 * at the same org, and removes
 * everything at the end. The org's request and event logs show that it was
 * done over HTTP; a wrong token or missing options fail the run at once with
 * the OKTA_ORG_* code and what to do.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isCodedError } from '../agent/src/errors.ts';
import { RealTimeClock } from '../simulators/clock/real-time-clock.ts';
import type { OktaResponseRecord } from '../simulators/okta/handlers.ts';
import { OktaOrg } from '../simulators/okta/org.ts';
import { type RunningOktaServer, startOktaServer } from '../simulators/okta/serve.ts';
import { createCa, issueServerCert } from '../simulators/okta/tls.ts';
import { type OktaOrgRunOptions, prepareOktaOrg } from './okta-org-run.ts';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(REPO, 'bin', 'radius-mfa-harness.js');
const TOKEN_ENV = 'RMH_TEST_OKTA_ORG_TOKEN';
/** The scenarios a real org can run: TOTP codes, user states, assignment (and the rest the Management API can set up). */
const TAGS = '@needs:okta-admin and not @needs:okta-mock';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the harness CLI without blocking this process: the org it talks to is served from here. */
function harness(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 420_000): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the harness did not finish within ${timeoutMs / 1000} s:\n${stdout.slice(-3000)}\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

describe('run --okta-org: the Management-API World against the mock served over HTTPS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rmh-okta-org-'));
  const caFile = join(dir, 'ca.pem');
  const records: OktaResponseRecord[] = [];
  let org: OktaOrg;
  let token: string;
  let appId: string;
  let server: RunningOktaServer;
  const env = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, [TOKEN_ENV]: token, ...extra };
    for (const [k, v] of Object.entries(extra)) if (v === undefined) delete e[k];
    return e;
  };
  const common = (): string[] => ['--okta-org', server.url, '--okta-token-env', TOKEN_ENV, '--okta-app-id', appId, '--okta-ca', caFile, '--ci'];

  before(async () => {
    // A real org keeps real time: so does this one (and the harness's phones with it).
    org = new OktaOrg({ clock: new RealTimeClock(), seed: 7 });
    token = org.createApiToken('harness admin and agent');
    appId = org.createApp({ label: 'Amazon WorkSpaces' }).id;
    const ca = createCa('okta-org test CA');
    writeFileSync(caFile, ca.certPem);
    server = await startOktaServer(org, { tls: issueServerCert(ca, ['127.0.0.1']), observe: (r) => records.push(r) });
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the TOTP, user-state and assignment scenarios green on embedded, creating and removing every user over HTTP', async (t) => {
    const out = join(dir, 'out');
    const r = await harness(['run', '--target', 'embedded', '--tags', TAGS, '--out', out, '--parallel', '1', ...common()], env());
    const log = `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`;
    for (const line of r.stdout.split('\n').filter((l) => /^(embedded|process): \d+ passed|^okta-org: rmh-/.test(l))) t.diagnostic(line);
    assert.equal(r.code, 0, log);
    assert.match(r.stdout, /okta-org: https:\/\/127\.0\.0\.1:\d+ \(token from RMH_TEST_OKTA_ORG_TOKEN, RADIUS app /, 'the run says which org it uses');
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(token), 'the token is never printed');
    for (const target of ['embedded']) {
      const part = JSON.parse(readFileSync(join(out, target, 'verdicts.json'), 'utf8')) as { verdicts: Array<{ name: string; verdict: string }>; capabilities: string[] };
      assert.ok(part.capabilities.includes('okta-admin') && !part.capabilities.includes('okta-mock'), `${target} offers okta-admin, not okta-mock: ${part.capabilities}`);
      const byName = new Map(part.verdicts.map((v) => [v.name, v.verdict]));
      for (const name of [
        'A wrong code is refused',
        'A code from the previous time step is signed in (Okta allows one time step of clock drift)',
        'A code from 2 time steps later is rejected by the agent (Okta allows one time step of clock drift)',
        'A code that was already used is refused the second time',
        'A wrong Google Authenticator code is refused',
        'A user with Okta Verify on one phone and Google Authenticator on another',
        'A factor still pending activation does not count',
        'Unassigned from the RADIUS app, her right code is refused',
        'With her Okta account suspended, her right code is refused',
        'With her Okta account deprovisioned, her right code is refused',
        'Unsuspended again by an Okta admin, she signs in',
      ]) {
        assert.equal(byName.get(name), 'pass', `${target}: "${name}" ${byName.get(name) ?? 'did not run'}`);
      }
      assert.ok(part.verdicts.length >= 15 && part.verdicts.every((v) => v.verdict === 'pass'), `${target}: ${JSON.stringify(part.verdicts)}`);
    }

    // Done over HTTP, through the Management API: the org saw the calls, under the run prefix.
    const ops = (id: string): OktaResponseRecord[] => records.filter((x) => x.operationId === id);
    const created = ops('createUser').filter((x) => x.status === 200);
    assert.ok(created.length >= 17, `users created over HTTP: ${created.length}`);
    const logins = created.map((x) => (x.body as { profile?: { login?: string } }).profile?.login ?? '');
    assert.ok(logins.every((l) => /^rmh-[a-z0-9]{4}[a-z0-9][a-z0-9]{2}-[a-z]+@corp\.example\.com$/.test(l)), `logins carry the run prefix: ${logins.slice(0, 5).join(', ')}`);
    for (const id of ['assignUserToApplication', 'unassignUserFromApplication', 'enrollFactor', 'activateFactor', 'suspendUser', 'unsuspendUser', 'deactivateUser', 'deleteUser']) {
      assert.ok(ops(id).some((x) => x.status < 300), `${id} was called over HTTP`);
    }
    assert.ok(ops('verifyFactor').length > 0, 'the agents asked the same org to verify codes');
    // …and removed at the end: every user created is gone, as the event log says too.
    assert.deepEqual(org.listUsers().map((u) => u.profile.login), [], 'no user is left in the org');
    assert.equal(org.events.ofType('user.lifecycle.delete.initiated').length, org.events.ofType('user.lifecycle.create').length, 'every user created was deleted');
    assert.match(r.stdout, /okta-org: rmh-[a-z0-9]{4}…: nothing left behind/);
  });

  it('points an agent process at the same org (its CA through NODE_EXTRA_CA_CERTS): assignment, a user state and TOTP codes, green', async (t) => {
    const out = join(dir, 'out-process');
    const from = records.length;
    const name = '^(A wrong code is refused|A factor still pending activation does not count|Unassigned from the RADIUS app, her right code is refused|With her Okta account suspended, her right code is refused|A code that was already used is refused the second time)$';
    const r = await harness(['run', '--target', 'process', '--tags', TAGS, '--name', name, '--out', out, '--parallel', '1', ...common()], env());
    for (const line of r.stdout.split('\n').filter((l) => /^process: \d+ passed|^okta-org: rmh-/.test(l))) t.diagnostic(line);
    assert.equal(r.code, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    const part = JSON.parse(readFileSync(join(out, 'process', 'verdicts.json'), 'utf8')) as { verdicts: Array<{ name: string; verdict: string }> };
    assert.deepEqual(part.verdicts.map((v) => v.verdict), ['pass', 'pass', 'pass', 'pass', 'pass'], JSON.stringify(part.verdicts));
    const mine = records.slice(from);
    assert.ok(mine.some((x) => x.operationId === 'verifyFactor' && x.status === 200), 'the agent process verified codes at the org, over HTTPS');
    assert.ok(mine.some((x) => x.operationId === 'getUser'), 'and looked its users up there');
    assert.deepEqual(org.listUsers().map((u) => u.profile.login), [], 'no user is left in the org');
  });

  it('a wrong token fails the run before any scenario, with the code and what to do (exit 2)', async () => {
    const before = records.length;
    const r = await harness(['run', '--target', 'embedded', '--tags', TAGS, '--out', join(dir, 'wrong'), ...common()], env({ [TOKEN_ENV]: '00not-the-org-token' }), 60_000);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^radius-mfa-harness run: OKTA_ORG_TOKEN_REFUSED: https:\/\/127\.0\.0\.1:\d+ refused the token in RMH_TEST_OKTA_ORG_TOKEN \(401 E0000011 .*set RMH_TEST_OKTA_ORG_TOKEN to a current SSWS API token/m);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.doesNotMatch(r.stdout, /scenarios selected/, 'nothing ran');
    assert.equal(records.slice(before).filter((x) => x.operationId === 'createUser').length, 0, 'no user was created');
  });

  it('bad input is one line with a stable code (exit 2): no token in the variable', async () => {
    const r = await harness(['run', '--target', 'embedded', '--tags', TAGS, '--out', join(dir, 'bad'), ...common()], env({ [TOKEN_ENV]: undefined }), 60_000);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^radius-mfa-harness run: OKTA_ORG_NO_TOKEN: --okta-org needs an SSWS API token of the org in the environment variable RMH_TEST_OKTA_ORG_TOKEN, which is empty: export/);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  });

  it('every other problem with the options has its code and says what to do: a bad URL, no app id, an unreadable CA, options without --okta-org', async () => {
    const e = env();
    const cases: Array<[OktaOrgRunOptions, string, RegExp]> = [
      [{ oktaOrg: 'ftp://example.okta.com', oktaTokenEnv: TOKEN_ENV, oktaAppId: 'x1' }, 'OKTA_ORG_BAD_URL', /must be an https:\/\//],
      [{ oktaOrg: 'not a url', oktaTokenEnv: TOKEN_ENV, oktaAppId: 'x1' }, 'OKTA_ORG_BAD_URL', /"not a url" is not a URL/],
      [{ oktaOrg: `${server.url}/api/v1`, oktaTokenEnv: TOKEN_ENV, oktaAppId: 'x1' }, 'OKTA_ORG_BAD_URL', /without a path/],
      [{ oktaOrg: server.url, oktaTokenEnv: 'MY TOKEN', oktaAppId: 'x1' }, 'OKTA_ORG_BAD_TOKEN_ENV', /NAME of an environment variable/],
      [{ oktaOrg: server.url, oktaTokenEnv: TOKEN_ENV }, 'OKTA_ORG_NO_APP_ID', /needs --okta-app-id/],
      [{ oktaOrg: server.url, oktaTokenEnv: TOKEN_ENV, oktaAppId: appId, oktaCa: join(dir, 'missing.pem') }, 'OKTA_ORG_BAD_CA', /missing\.pem: cannot read it/],
      [{ oktaOrg: server.url, oktaTokenEnv: TOKEN_ENV, oktaAppId: appId, oktaCa: join(REPO, 'package.json') }, 'OKTA_ORG_BAD_CA', /holds no PEM certificate/],
      [{ oktaOrg: server.url, oktaTokenEnv: TOKEN_ENV, oktaAppId: appId }, 'OKTA_ORG_UNREACHABLE', /did not answer as an Okta org .*--okta-ca/],
      [{ oktaAppId: appId }, 'OKTA_ORG_OPTION_WITHOUT_ORG', /--okta-app-id go with --okta-org URL/],
    ];
    for (const [opts, code, message] of cases) {
      await assert.rejects(prepareOktaOrg(opts, e), (err: unknown) => isCodedError(err, code) && message.test(err.message), `${JSON.stringify(opts)} → ${code}`);
    }
    const ok = await prepareOktaOrg({ oktaOrg: server.url, oktaTokenEnv: TOKEN_ENV, oktaAppId: appId, oktaCa: caFile }, e);
    assert.ok(ok && /^[a-z0-9]{4}$/.test(ok.config.runId));
    assert.equal(await prepareOktaOrg({}, e), undefined, 'no --okta-org: the lab\'s mock');
  });
});
