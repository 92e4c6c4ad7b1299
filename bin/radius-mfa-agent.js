#!/usr/bin/env node
import './node-check.js';
import { answerVersion, start } from './entry.js';

// Answered here so `--version` works without --config (the agent's CLI requires one).
answerVersion('radius-mfa-agent');
await start('agent/src/cli');
