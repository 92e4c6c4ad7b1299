#!/usr/bin/env node
import './node-check.js';
import { answerVersion, start } from './entry.js';

answerVersion('radius-mfa-harness');
await start('cli/harness');
