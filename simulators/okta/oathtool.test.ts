/**
 * Independent check of the TOTP implementation: a code computed by Debian's
 * oathtool (not otplib) at the virtual clock's time is accepted over real HTTP,
 * and a wrong one is refused.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startOktaServer } from './serve.ts';
import { ALICE_SECRET, seededOrg } from './test-fixtures.ts';

const run = promisify(execFile);

function oathtoolMissing(): string | undefined {
  try {
    execFileSync('oathtool', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'oathtool is not installed (Debian package "oathtool")';
  }
}

const missing = oathtoolMissing();
const inCi = process.env.CI === 'true';

const skip = missing && !inCi ? `${missing}; skipped outside CI (CI=true makes this a failure)` : false;

describe('TOTP against an independent implementation (oathtool)', () => {
  it('oathtool is present in CI', { skip }, () => {
    assert.equal(missing, undefined, `${missing}; CI must install it`);
  });

  it("accepts oathtool's code for the seeded user and refuses a wrong one, over real HTTP", { skip }, async () => {
    const s = seededOrg();
    await s.clock.advance(123_456); // not on a step boundary
    const srv = await startOktaServer(s.org);
    try {
      const epoch = Math.floor(s.clock.now() / 1000);
      const { stdout } = await run('oathtool', ['--totp', '-b', ALICE_SECRET, '--now', `@${epoch}`]);
      const code = stdout.trim();
      assert.match(code, /^\d{6}$/);
      const verify = (passCode: string) =>
        fetch(`${srv.url}/api/v1/users/${s.alice.id}/factors/${s.factors.totp.id}/verify`, {
          method: 'POST',
          headers: { authorization: `SSWS ${s.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ passCode }),
        });
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      const refused = await verify(wrong);
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { errorCode: string }).errorCode, 'E0000068');
      const accepted = await verify(code);
      assert.equal(accepted.status, 200);
      assert.deepEqual(await accepted.json(), { factorResult: 'SUCCESS' });
    } finally {
      await srv.close();
    }
  });
});
