import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { AgentLog } from './agent-log.ts';

const line = (o: object): string => JSON.stringify({ level: 30, name: 'radius-mfa-agent', ...o });

test('the ports are the ones the agent logged: the first app\'s RADIUS port and the HTTP port, across chunk boundaries', async () => {
  const log = new AgentLog();
  const stream = new PassThrough();
  log.follow(stream);
  const ports = log.ports(5_000, 'the agent');
  const text = [line({ msg: 'listening', app: 'a', port: 41000 }), line({ msg: 'listening', app: 'b', port: 41001 }), line({ msg: 'http listening', port: 8081 })].join('\n');
  stream.write(text.slice(0, 37));
  stream.write(`${text.slice(37)}\n`);
  assert.deepEqual(await ports, { port: 41000, httpPort: 8081 });
  assert.deepEqual(log.bound, { port: 41000, httpPort: 8081 });
});

test('an agent that exits before saying its HTTP port fails the wait at once, with its error line and why', async () => {
  const log = new AgentLog();
  const ports = log.ports(60_000, 'the agent container');
  log.push(line({ msg: 'listening', port: 41000 }));
  log.push(line({ level: 60, msg: 'RADIUS_MFA_AGENT_START_FAILED: listen EADDRINUSE: address already in use 127.0.0.1:8081' }));
  log.end('exited (code 1)');
  await assert.rejects(ports, (e: Error) => {
    assert.match(e.message, /^the agent container exited \(code 1\) before it said which ports it bound: .*EADDRINUSE/);
    return true;
  });
});

test('no ports within the time: a bounded wait that says what the agent last said', async () => {
  const log = new AgentLog();
  log.push('starting');
  await assert.rejects(log.ports(50, 'the agent process'), /the agent process did not say which ports it bound within 0\.05 s: starting/);
});

test('keeps the last 200 lines for a failed scenario\'s report', () => {
  const log = new AgentLog();
  for (let i = 0; i < 250; i++) log.push(`line ${i}`);
  const lines = log.text().trimEnd().split('\n');
  assert.equal(lines.length, 200);
  assert.equal(lines[0], 'line 50');
  assert.equal(lines.at(-1), 'line 249');
  assert.equal(new AgentLog().text(), '');
});

test('bound is undefined until the agent has said both ports', () => {
  const log = new AgentLog();
  log.push(line({ msg: 'listening', port: 41000 }));
  assert.equal(log.bound, undefined);
  log.push(line({ msg: 'http listening', port: 8081 }));
  assert.deepEqual(log.bound, { port: 41000, httpPort: 8081 });
});
