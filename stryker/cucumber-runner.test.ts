import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfiguration } from '@cucumber/cucumber/api';
import { quoteUrlFormat, strykerPlugins } from './cucumber-runner.ts';

const require = createRequire(import.meta.url);
const wrapperPath = join(dirname(require.resolve('@stryker-mutator/cucumber-runner/package.json')), 'dist/src/cucumber-wrapper.cjs');
type Formats = { stdout: string; files: Record<string, string> };
type Load = (o: { file: false; provided: { format: string[] } }) => Promise<{ runConfiguration: { formats: Formats } }>;

describe('stryker/cucumber-runner (the cucumber runner made to work with Cucumber 13)', () => {
  const formatter = 'file:///work/node_modules/@stryker-mutator/cucumber-runner/dist/src/stryker-formatter.cjs';

  it('Cucumber 13 splits a bare file:// format at its colon: "file" writing over the formatter (why the plug-in exists)', async () => {
    const { runConfiguration } = await (loadConfiguration as unknown as Load)({ file: false, provided: { format: [formatter] } });
    assert.deepEqual(runConfiguration.formats.files, { [formatter.slice('file:'.length)]: 'file' });
    assert.equal(runConfiguration.formats.stdout, 'progress');
  });

  it('the runner’s loadConfiguration now gets the formatter as one quoted name, written to stdout', async () => {
    const wrapper = require(wrapperPath) as { loadConfiguration: Load };
    const { runConfiguration } = await wrapper.loadConfiguration({ file: false, provided: { format: [formatter] } });
    assert.deepEqual(runConfiguration.formats.files, {});
    assert.equal(runConfiguration.formats.stdout, formatter);
  });

  it('quotes only bare file: URLs', () => {
    assert.equal(quoteUrlFormat(formatter), `"${formatter}"`);
    assert.equal(quoteUrlFormat(`"${formatter}"`), `"${formatter}"`);
    for (const other of ['progress', '"html":"reports/out/x.html"', 'summary:out.txt']) assert.equal(quoteUrlFormat(other), other);
  });

  it('hands over the cucumber runner’s plug-in', () => {
    assert.deepEqual(
      strykerPlugins.map((p) => [p.kind, p.name]),
      [['TestRunner', 'cucumber']],
    );
  });
});
