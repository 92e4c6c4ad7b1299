// Plain JS on purpose (see node-check.js). Finds the module a bin starts:
//   <root>/<path>.ts       in the repository, which runs its TypeScript directly;
//   <root>/<path>.js       in dist/ (dist/bin/ is a copy of bin/, used by the process target);
//   <root>/dist/<path>.js  in an installed package, where Node will not strip types
//                          (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING) and only
//                          the compiled JavaScript ships (npm run build).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Imports `<path>` (no extension, relative to the package root) from the first place it exists. */
export async function start(path) {
  for (const candidate of [join(root, `${path}.ts`), join(root, `${path}.js`), join(root, 'dist', `${path}.js`)]) {
    if (existsSync(candidate)) return import(pathToFileURL(candidate).href);
  }
  process.stderr.write(
    `radius-mfa-harness: neither ${path}.ts nor dist/${path}.js exists under ${root}. ` +
      'In the repository run `npm ci`; a packed copy needs `npm run build` before `npm pack`.\n',
  );
  process.exit(2);
}

/** The version in the nearest package.json above this file named radius-mfa-harness. */
export function version() {
  for (let dir = root, i = 0; i < 4; dir = dirname(dir), i++) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (pkg.name === 'radius-mfa-harness') return pkg.version;
  }
  return 'unknown';
}

/** `--version` / `-V` alone: print the version and exit before anything else loads. */
export function answerVersion(name) {
  const args = process.argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${name} ${version()} (node ${process.version})\n`);
    process.exit(0);
  }
}
