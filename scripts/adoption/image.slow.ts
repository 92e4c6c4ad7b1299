/**
 * Adoption test (b): the harness image. Builds it with podman from the
 * Containerfile (scripts/build-harness-image.sh: the Debian base made by
 * mmdebstrap and the dependencies layer are reused while their inputs are
 * unchanged; `podman build --pull=never --network=none`), then, in containers
 * with no network at all:
 *   - the tools it promises answer (Node 24, both bins, chromium, radclient, tshark, oathtool);
 *   - scripts/adoption/in-image.sh does a team's day with it: the embedded
 *     suite from the compiled package (the team's scenarios, the sign-in page
 *     in chromium, Google Authenticator codes, pushes), radclient signing Bob
 *     in with oathtool's code against an agent started by hand, `run --target
 *     external` against that agent, and tshark decoding a pcap of that run
 *     with the agent's secret.
 *
 *   node --test scripts/adoption/image.slow.ts      (npm run test:image, scripts/test-adoption.sh --image)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { derivedRadiusSecret } from '../../simulators/lab/derive.ts';
import { REPO, run, timed } from './common.ts';

const podmanMissing = run('podman', ['--version'], REPO).status !== 0 ? 'podman is not installed (scripts/setup.sh installs it)' : undefined;
/** The secret of the lab the script serves (derived from the example seed's name): it must not appear in any output. */
const LAB_SECRET = derivedRadiusSecret('workspaces-example');

/** The part of in-image.sh's output under the header `== name`. */
function section(out: string, name: string): string {
  const start = out.indexOf(`== ${name}\n`);
  assert.ok(start >= 0, `in-image.sh did not reach "${name}":\n${out.split('\n').slice(-60).join('\n')}`);
  const end = out.indexOf('\n== ', start + 3);
  return out.slice(start, end < 0 ? undefined : end);
}

test('the harness image builds without pulls, and its tools and the harness work inside it', { skip: podmanMissing }, () => {
  const built = timed('build-harness-image', () => run('bash', ['scripts/build-harness-image.sh'], REPO, {}, 1_800_000));
  assert.equal(built.status, 0, built.out);
  process.stdout.write(`${built.out.split('\n').filter((l) => l.startsWith('build-harness-image:')).map((l) => `# ${l}`).join('\n')}\n`);
  const image = built.stdout.trim().split('\n').at(-1)!;
  const size = run('podman', ['image', 'inspect', image, '--format', '{{.Size}}'], REPO);
  process.stdout.write(`# image ${image}: ${(Number(size.out.trim()) / 1e6).toFixed(0)} MB\n`);

  const tools = run(
    'podman',
    ['run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c', 'node --version && radius-mfa-harness --version && radius-mfa-agent --version && chromium --version && command -v radclient && tshark --version | head -1 && oathtool --version | head -1'],
    REPO,
  );
  assert.equal(tools.status, 0, tools.out);
  assert.match(tools.out, /^v24\./m);
  assert.match(tools.out, /radius-mfa-harness \d/);
  assert.match(tools.out, /radius-mfa-agent \d/);
  assert.match(tools.out, /Chromium/);
  assert.match(tools.out, /TShark/);
  assert.match(tools.out, /oathtool/);

  const day = timed('in-image.sh (embedded, radclient + oathtool, external, tshark)', () =>
    run(
      'podman',
      ['run', '--rm', '--network', 'none', '-v', `${join(REPO, 'scripts/adoption/in-image.sh')}:/in-image.sh:ro`, '--entrypoint', 'sh', image, '/in-image.sh'],
      REPO,
      {},
      900_000,
    ),
  );
  const out = day.out;
  assert.equal(day.status, 0, `in-image.sh failed:\n${out.split('\n').slice(-60).join('\n')}`);
  assert.ok(!out.includes(LAB_SECRET), 'the shared secret appeared in the output');

  // 1. Embedded: every scenario passes, the browser's among them.
  const embedded = section(out, 'embedded');
  const summary = /^ {2}embedded: (\d+) passed, (\d+) failed/m.exec(embedded);
  assert.ok(summary, embedded.slice(-2000));
  assert.equal(summary[2], '0', embedded.slice(-2000));
  assert.ok(Number(summary[1]) >= 12, `only ${summary[1]} scenarios passed in the image`);
  assert.match(embedded, /pass {2}features\/browser\/sign-in-page\.feature:\d+ Signing in on the page with the Okta Verify code/, 'the sign-in page did not pass in chromium');
  assert.match(embedded, /pass {2}features\/acme\/radius-basics\.feature:\d+/, "the team's own scenarios did not run");
  process.stdout.write(`# in the image: ${summary[0].trim()}\n`);

  // 2. radclient with oathtool's code: accepted; with a wrong code: rejected.
  assert.match(section(out, "radclient with oathtool's code"), /^Received Access-Accept/m);
  assert.match(section(out, 'radclient with a wrong code'), /^Received Access-Reject/m);

  // 3. The team's suite against the agent started by hand.
  assert.match(section(out, 'external'), /^ {2}external[^:]*: 3 passed, 0 failed, 1 not applicable/m);

  // 4. tshark with the agent's secret decrypts the wrong code and validates the reply.
  const tshark = section(out, 'tshark');
  assert.match(tshark, /User-Password: 000000/);
  assert.match(tshark, /Code: Access-Reject/);
  assert.match(tshark, /Authenticator: \[correct\]/);
  assert.doesNotMatch(tshark, /\[incorrect\]/);
});
