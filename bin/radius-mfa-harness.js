#!/usr/bin/env node
import './node-check.js';

await import('../cli/harness.ts');
