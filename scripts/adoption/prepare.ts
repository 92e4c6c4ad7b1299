/**
 * Packs the harness once (`npm pack`, which builds dist/) into DIR and
 * installs the tarball once into DIR/installed, a new team project; the
 * adoption test files then start from these (RMH_ADOPTION_TARBALL,
 * RMH_ADOPTION_INSTALLED) instead of packing and installing each on its own.
 * Prints the two variables as shell assignments on its last two lines.
 *
 *   node scripts/adoption/prepare.ts DIR        (scripts/test-adoption.sh)
 */
import { join } from 'node:path';
import { installInto, tarballIn } from './common.ts';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node scripts/adoption/prepare.ts DIR\n');
  process.exit(2);
}
const tarball = tarballIn(dir);
const installed = join(dir, 'installed');
installInto(installed, tarball);
process.stdout.write(`RMH_ADOPTION_TARBALL=${tarball}\nRMH_ADOPTION_INSTALLED=${installed}\n`);
