import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { figuresOf, formatTable, parseArgs } from './run.ts';

describe('stryker/run: npm run mutation', () => {
  it('counts a report the way Stryker scores it: timeouts are detected, no coverage counts against, ignored is apart', () => {
    const status = (s: string, n: number) => Array.from({ length: n }, () => ({ status: s as 'Killed' }));
    const report = {
      files: {
        'a.ts': { mutants: [...status('Killed', 7), ...status('Timeout', 1), ...status('Survived', 1)] },
        'b.ts': { mutants: [...status('NoCoverage', 1), ...status('Ignored', 5), ...status('RuntimeError', 1)] },
      },
    };
    const f = figuresOf('engine', report);
    assert.deepEqual(f, { part: 'engine', mutants: 16, killed: 7, survived: 1, timeout: 1, noCoverage: 1, ignored: 5, errors: 1, score: 80 });
    assert.match(formatTable([f]), /\| engine \| 16 \| 7 \| 1 \| 1 \| 1 \| 5 \| 1 \| 80\.00 % \|/);
  });

  it('parts and --min-score; anything else is refused with the allowed values', () => {
    assert.deepEqual(parseArgs([]), { parts: ['engine', 'transport', 'codec'], minScore: undefined });
    assert.deepEqual(parseArgs(['codec', '--min-score=90']), { parts: ['codec'], minScore: 90 });
    assert.throws(() => parseArgs(['radius']), (e: Error & { code?: string }) => e.code === 'MUTATION_UNKNOWN_PART' && /engine, transport, codec/.test(e.message));
    assert.throws(() => parseArgs(['--min-score=120']), (e: Error & { code?: string }) => e.code === 'MUTATION_BAD_MIN_SCORE');
  });
});
