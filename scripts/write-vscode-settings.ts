/**
 * Writes .vscode/settings.json for the Cucumber extension (cli/vscode.ts):
 * features, glue and the suite's custom parameter types. Keeps other keys.
 *
 *   node scripts/write-vscode-settings.ts     (npm run vscode)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { editorSettings, loadEditorView } from '../cli/vscode.ts';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const file = join(root, '.vscode', 'settings.json');
const existing = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
const { steps, parameterTypes } = await loadEditorView(root);
mkdirSync(join(root, '.vscode'), { recursive: true });
writeFileSync(file, `${JSON.stringify(editorSettings(parameterTypes, existing), null, 2)}\n`);
process.stdout.write(`wrote ${file}: ${parameterTypes.length} parameter types; glue has ${steps.length} steps\n`);
