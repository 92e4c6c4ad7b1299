import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createLogger, type DecisionFields, decisionLogger, decisionWriter } from './logger.ts';

function capture(): { lines: string[]; stream: { write(s: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
}

const withoutTime = (line: string): unknown => {
  const o = JSON.parse(line) as Record<string, unknown>;
  assert.equal(typeof o.time, 'number');
  delete o.time;
  return o;
};

const FULL: DecisionFields = {
  app: 'vpn',
  client: 'ad-connector "east"',
  remote: '[::1]:40000',
  id: 7,
  userName: 'ali\\ce"\n\u2028',
  login: 'alice@corp.example.com',
  result: 'accept',
  reason: 'passcode-accepted',
  factor: 'token:software:totp',
  ms: 12,
};

describe('decision line', () => {
  it('is what pino writes for the same fields, key for key and in the same order (absent fields left out)', () => {
    const partial: DecisionFields = { ...FULL, userName: undefined, login: undefined, factor: undefined, result: 'reject', reason: 'protocol-not-supported', ms: 0 };
    for (const fields of [FULL, partial]) {
      const mine = capture();
      decisionWriter(createLogger({ destination: mine.stream }))(fields);
      const theirs = capture();
      decisionLogger(createLogger({ destination: theirs.stream })).info({ ...fields }, 'decision');
      assert.equal(mine.lines.length, 1);
      assert.ok(mine.lines[0]!.endsWith('}\n'), 'one line');
      assert.deepEqual(Object.keys(withoutTime(mine.lines[0]!) as object), Object.keys(withoutTime(theirs.lines[0]!) as object));
      assert.deepEqual(withoutTime(mine.lines[0]!), withoutTime(theirs.lines[0]!));
    }
  });

  it('writes nothing above info, and again once the level comes back down', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'warn', destination: stream });
    const write = decisionWriter(logger);
    write(FULL);
    assert.equal(lines.length, 0);
    logger.level = 'info';
    write(FULL);
    assert.equal(lines.length, 1);
  });

  it('a logger not made by createLogger gets the line through pino (its own formatters apply)', () => {
    const { lines, stream } = capture();
    const host = pino({ base: null, formatters: { level: (label) => ({ severity: label }) } }, stream);
    decisionWriter(host)(FULL);
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(o.severity, 'info');
    assert.equal(o.msg, 'decision');
    assert.equal(o.reason, 'passcode-accepted');
  });

  it('a non-finite number is written as null, so the line stays JSON', () => {
    const { lines, stream } = capture();
    decisionWriter(createLogger({ destination: stream }))({ ...FULL, ms: Number.NaN });
    assert.equal((JSON.parse(lines[0]!) as { ms: unknown }).ms, null);
  });
});
