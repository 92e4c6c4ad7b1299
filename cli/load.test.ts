import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAgent } from '../agent/src/agent.ts';
import { isCodedError } from '../agent/src/errors.ts';
import { checkLoadAddress, runSignInLoad, startLoadLab } from './load-engine.ts';
import { renderLoadReport } from './load-report.ts';
import { parseMix, summary, validateLoadOptions } from './load.ts';

describe('radius-mfa-harness load', () => {
  it('validates options with stable codes and the allowed values', () => {
    assert.throws(() => validateLoadOptions({ target: 'nope' }), (e: unknown) => isCodedError(e, 'LOAD_BAD_OPTION') && /process, container, freeradius, external/.test((e as Error).message));
    assert.throws(() => validateLoadOptions({ count: '2000000' }), (e: unknown) => isCodedError(e, 'LOAD_BAD_OPTION') && /at most 1000000/.test((e as Error).message));
    assert.throws(() => validateLoadOptions({ duration: '601' }), /at most 600/);
    assert.throws(() => validateLoadOptions({ target: 'external' }), /needs --profile/);
    assert.throws(() => parseMix('totp=1,sms=3'), (e: unknown) => isCodedError(e, 'LOAD_BAD_MIX') && /totp, push, wrong/.test((e as Error).message));
    assert.throws(() => parseMix('totp=0'), (e: unknown) => isCodedError(e, 'LOAD_BAD_MIX'));
    assert.deepEqual(parseMix('push=2, wrong=1'), { totp: 0, push: 2, wrong: 1 });
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
});
