import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createAgent } from '../agent/src/agent.ts';
import { isCodedError } from '../agent/src/errors.ts';
import { checkLoadAddress, runSignInLoad, startLoadLab } from './load-engine.ts';
import { renderLoadReport } from './load-report.ts';
import { loadCommand, parseMix, summary, validateLoadOptions } from './load.ts';

describe('radius-mfa-harness load', () => {
  it('validates options with stable codes and the allowed values', () => {
    assert.throws(() => validateLoadOptions({ target: 'nope' }), (e: unknown) => isCodedError(e, 'LOAD_BAD_OPTION') && /process, container, freeradius, external/.test((e as Error).message));
    assert.throws(() => validateLoadOptions({ count: '2000000' }), (e: unknown) => isCodedError(e, 'LOAD_BAD_OPTION') && /at most 1000000/.test((e as Error).message));
    assert.throws(() => validateLoadOptions({ duration: '601' }), /at most 600/);
    assert.throws(() => validateLoadOptions({ target: 'external' }), /needs --profile/);
    assert.throws(() => parseMix('totp=1,sms=3'), (e: unknown) => isCodedError(e, 'LOAD_BAD_MIX') && /totp, push, wrong/.test((e as Error).message));
    assert.throws(() => parseMix('totp=0'), (e: unknown) => isCodedError(e, 'LOAD_BAD_MIX'));
    assert.deepEqual(parseMix('push=2, wrong=1'), { totp: 0, push: 2, wrong: 1 });
    assert.throws(
      () => validateLoadOptions({ target: 'freeradius', requestThreads: '64' }),
      (e: unknown) => isCodedError(e, 'LOAD_BAD_OPTION') && /--request-threads sets the reference agent.*\(targets process, container\), not freeradius/.test((e as Error).message),
    );
    assert.throws(() => validateLoadOptions({ requestThreads: '0' }), /request-threads must be at least 1/);
    assert.equal(validateLoadOptions({ target: 'container', requestThreads: '64' }).requestThreads, 64);
    assert.throws(
      () => validateLoadOptions({ target: 'external', profile: 'p.yaml', oktaCallsPerSecond: '100' }),
      (e: unknown) => isCodedError(e, 'LOAD_BAD_OPTION') && /--okta-calls-per-second sets the reference agent.*not external/.test((e as Error).message),
    );
    assert.throws(() => validateLoadOptions({ oktaCallsPerSecond: '0' }), /okta-calls-per-second must be at least 1/);
    assert.equal(validateLoadOptions({ target: 'process', oktaCallsPerSecond: '500' }).oktaCallsPerSecond, 500);
    const o = validateLoadOptions({ users: '50', concurrency: '8' });
    assert.equal(o.users, 50);
    assert.equal(o.target, 'process');
  });

  it('goes to loopback only (namespace addresses with the opt-in)', () => {
    assert.doesNotThrow(() => checkLoadAddress('127.0.0.1'));
    assert.doesNotThrow(() => checkLoadAddress('::1'));
    assert.throws(() => checkLoadAddress('8.8.8.8', true), (e: unknown) => isCodedError(e, 'LOAD_ADDRESS_REFUSED'));
    assert.throws(() => checkLoadAddress('10.200.0.2'), (e: unknown) => isCodedError(e, 'LOAD_ADDRESS_REFUSED'));
    assert.doesNotThrow(() => checkLoadAddress('10.200.0.2', true));
    assert.throws(() => checkLoadAddress('radius.example.com'), (e: unknown) => isCodedError(e, 'LOAD_ADDRESS_REFUSED'));
  });

  it('signs users in with TOTP, push and wrong codes against a real agent, retransmits, and reports by kind and over time', { timeout: 60_000 }, async () => {
    const lab = await startLoadLab({ users: 40, pushAnswerMs: 200 });
    const secret = 'load-test-secret-123456';
    const agent = createAgent({
      config: {
        okta: { orgUrl: lab.url, apiToken: lab.token },
        apps: [{ name: 'load', appId: lab.appId, listen: { host: '127.0.0.1', port: 0 }, usernameFormat: { suffix: lab.suffix }, clients: [{ name: 'load', address: '127.0.0.1', secret }] }],
      },
    });
    try {
      const [app] = await agent.start();
      const calls0 = lab.oktaCalls;
      const r = await runSignInLoad({
        host: '127.0.0.1',
        port: app!.endpoint.port,
        secret,
        users: 40,
        prefix: lab.prefix,
        mix: { totp: 2, push: 1, wrong: 1 },
        rate: 0,
        concurrency: 8,
        maxSignIns: 40,
        maxDurationMs: 20_000,
        timeoutMs: 10_000,
        retransmit: 0.5,
        retransmitAfterMs: 1,
        totpSecret: lab.totpSecret,
        now: () => Date.now(),
      });
      assert.equal(r.started, 40);
      assert.equal(r.lost, 0);
      assert.equal(r.byKind.totp.started, 20);
      assert.equal(r.byKind.totp.accepted, 20, JSON.stringify(r.byKind));
      assert.equal(r.byKind.push.accepted, 10, JSON.stringify(r.byKind));
      assert.equal(r.byKind.wrong.rejected, 10);
      assert.ok(r.retransmitted > 0, 'some requests were sent twice');
      assert.ok(r.timeline.length >= 1 && r.timeline.reduce((n, s) => n + s.answered, 0) === 40);
      const calls = lab.oktaCalls - calls0;
      assert.ok(calls >= 40, `Okta calls counted: ${calls}`);
      const html = renderLoadReport(r, { target: 'embedded', endpoint: 'x', startedAt: 'now', loadavgBefore: '0', loadavgAfter: '0', oktaCalls: calls, plan: {} });
      assert.equal(html.match(/<svg/g)?.length, 2, 'two plots');
      assert.match(html, /Answers by kind/);
      assert.match(summary(r, calls, 'a', 'b'), /40 answered/);
    } finally {
      await agent.stop();
      await lab.close();
    }
  });

  it('says what broke first from the agent process\'s own metrics: its request threads, until --request-threads gives it enough', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmh-load-'));
    try {
      const run = async (threads: number): Promise<{ code: number; out: string; json: { agent?: { reasons: Array<{ key: string; count: number }>; firstToBreak?: string } } }> => {
        let out = '';
        const o = join(dir, String(threads));
        // Pushes held 300 ms each, 24 at once: 2 threads must turn most away at once; 64 never.
        const code = await loadCommand(
          { target: 'process', users: '24', mix: 'push=1', count: '48', concurrency: '24', pushAnswerMs: '300', retransmit: '0', requestThreads: String(threads), out: o, quiet: true },
          { out: (s) => (out += s), err: () => {}, tty: false },
        );
        return { code, out, json: JSON.parse(readFileSync(join(o, 'load.json'), 'utf8')) };
      };
      const starved = await run(2);
      assert.equal(starved.code, 0, starved.out);
      const full = starved.json.agent?.reasons.find((r) => r.key === 'request-queue-full')?.count ?? 0;
      assert.ok(full > 0, `the agent counted full request queues: ${JSON.stringify(starved.json.agent)}`);
      assert.match(starved.out, /first to break: the agent's request threads were all busy \d+ time\(s\) \(requestThreads 2\)/);
      assert.match(readFileSync(join(dir, '2', 'load.html'), 'utf8'), /First to break:/);
      const enough = await run(64);
      assert.equal(enough.code, 0, enough.out);
      assert.deepEqual(enough.json.agent?.reasons, [{ key: 'push-approved', count: 48 }], enough.out);
      assert.doesNotMatch(enough.out, /first to break/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
