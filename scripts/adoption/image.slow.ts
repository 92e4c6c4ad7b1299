/**
 * Adoption test (b): the harness image. Builds it with podman from the
 * Containerfile (scripts/build-harness-image.sh: a Debian base made here by
 * mmdebstrap, then `podman build --pull=never --network=none`), then, in a
 * container with no network at all:
 *   - the tools it promises answer (Node 24, both bins, chromium, radclient, tshark, oathtool);
 *   - the embedded suite runs inside it: `init --conformance` writes a team
 *     layout with the harness's own conformance features, and
 *     `run --target embedded` must pass (browser scenarios use the image's
 *     chromium; everything runs from the compiled package).
 *
 *   node --test scripts/adoption/image.slow.ts      (npm run test:image)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPO, run, timed } from './common.ts';

const podmanMissing = run('podman', ['--version'], REPO).status !== 0 ? 'podman is not installed (scripts/setup.sh installs it)' : undefined;

test('the harness image builds without pulls and runs the embedded suite inside', { skip: podmanMissing }, () => {
  const built = timed('build-harness-image', () => run('bash', ['scripts/build-harness-image.sh'], REPO, {}, 1_800_000));
  assert.equal(built.status, 0, built.out);
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
  assert.match(tools.out, /Chromium/);
  assert.match(tools.out, /TShark/);

  const suite = timed('embedded suite in the image', () =>
    run(
      'podman',
      [
        'run',
        '--rm',
        '--network',
        'none',
        '--entrypoint',
        'sh',
        image,
        '-c',
        'radius-mfa-harness init --dir /tmp/team --name acme --conformance >/dev/null && cd /tmp/team && radius-mfa-harness run --target embedded --ci',
      ],
      REPO,
      {},
      1_200_000,
    ),
  );
  assert.equal(suite.status, 0, suite.out.split('\n').slice(-40).join('\n'));
  const summary = /^ {2}embedded: (\d+) passed, (\d+) failed/m.exec(suite.out);
  assert.ok(summary, suite.out.slice(-2000));
  assert.equal(summary[2], '0');
  assert.ok(Number(summary[1]) > 50, `only ${summary[1]} scenarios passed in the image`);
  process.stdout.write(`# in the image: ${summary[0].trim()}\n`);
});
