#!/usr/bin/env node
import './node-check.js';
import { answerVersion, start } from './entry.js';
import { startWithAgentHeapFlags } from './heap-flags.js';

// Answered here so `--version` works without --config (the agent's CLI requires one).
answerVersion('radius-mfa-agent');
// A smaller young generation and a slower-growing old space than V8's own (see heap-flags.js); re-executes once.
startWithAgentHeapFlags();
await start('agent/src/cli');
