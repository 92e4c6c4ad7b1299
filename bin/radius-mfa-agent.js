#!/usr/bin/env node
import './node-check.js';
import { answerVersion, start } from './entry.js';
import { startWithSmallYoungGeneration } from './young-generation.js';

// Answered here so `--version` works without --config (the agent's CLI requires one).
answerVersion('radius-mfa-agent');
// A smaller young generation than V8's own (see young-generation.js); re-executes once.
startWithSmallYoungGeneration();
await start('agent/src/cli');
