// Run first beside every test file by stryker/node-test-runner.ts: its one test
// always finishes after node:test has imported every file of the run (tests
// only start after that), so its completion is the runner's safe moment to ask
// node to end the run once the remaining tests are done.
import { test } from 'node:test';

test('stryker pace', () => new Promise<void>((resolve) => setTimeout(resolve, 1)));
