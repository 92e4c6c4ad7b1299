#!/usr/bin/env node
import './node-check.js';

await import('../agent/src/cli.ts');
