// Plain JS on purpose: it must run (and explain itself) on an old Node before
// any TypeScript is loaded.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `radius-mfa-harness needs Node 24 (this is ${process.version}). ` +
      'Run `npm run setup` (brings Node 24 from the npm registry into node_modules/.bin) ' +
      'and start commands through npm, or put node_modules/.bin first on PATH.\n',
  );
  process.exit(2);
}
