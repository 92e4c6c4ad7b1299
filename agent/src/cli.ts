/**
 * `radius-mfa-agent --config FILE [--check] [--allow-insecure LIST]`
 *
 * Exit codes: 0 ok (or --check passed), 2 configuration invalid, unreadable or
 * refused as insecure (config-warnings.ts), 1 could not start (e.g. port in use)
 * or stopped by a second signal.
 */
import { Command } from 'commander';
import { createAgent } from './agent.ts';
import { type AgentConfig, loadConfigFile } from './config.ts';
import { assessConfig, type ConfigFinding, INSECURE_ALLOWANCES, type InsecureAllowance, insecureConfigError, parseAllowInsecure, refusedFindings } from './config-warnings.ts';
import { isCodedError } from './errors.ts';
import { createLogger } from './logger.ts';

const program = new Command()
  .name('radius-mfa-agent')
  .description('RADIUS server that checks MFA with Okta (PAP; MFA-only, password,passcode or password-first per app)')
  .requiredOption('-c, --config <file>', 'YAML configuration file')
  .option('--check', 'validate the configuration and exit (0 = valid, 2 = invalid or refused as insecure); prints its warnings')
  .option('--allow-insecure <list>', `start despite these weak settings (comma-separated: ${INSECURE_ALLOWANCES.join(', ')}); same as allowInsecure in the file`)
  .showHelpAfterError();

program.parse(process.argv);
const opts = program.opts<{ config: string; check?: boolean; allowInsecure?: string }>();

let config: AgentConfig;
let findings: ConfigFinding[];
try {
  const allow: InsecureAllowance[] = opts.allowInsecure === undefined ? [] : parseAllowInsecure(opts.allowInsecure);
  config = loadConfigFile(opts.config);
  findings = assessConfig(config, allow);
} catch (e) {
  process.stderr.write(`${isCodedError(e) ? `${e.code}: ${e.message}` : String(e)}\n`);
  process.exit(2);
}
const refused = refusedFindings(findings);

if (opts.check) {
  // A person reads --check: plain lines on stderr, one per weakness.
  for (const f of findings) process.stderr.write(`${f.severity === 'refuse' ? 'refused' : 'warning'} [${f.check}] ${f.message}\n`);
  if (refused.length > 0) {
    const e = insecureConfigError(refused);
    process.stderr.write(`${e.code}: ${e.message}\n`);
    process.exit(2);
  }
  const apps = config.apps.map((a) => `${a.name} (${a.mode}, ${a.listen.host}:${a.listen.port}, ${a.clients.length} client(s))`);
  const warned = findings.length > 0 ? ` (${findings.length} warning(s) above)` : '';
  process.stdout.write(`configuration OK: ${apps.join('; ')}${warned}\n`);
  process.exit(0);
}

const logger = createLogger({ level: config.logging.level });
// One line per weakness, before anything binds (never the secret: the findings hold only lengths and keys).
for (const f of findings) {
  const fields = { event: 'weak-config', check: f.check, key: f.key, ...(f.allowedBy ? { allowedBy: f.allowedBy } : {}) };
  if (f.severity === 'refuse') logger.error({ ...fields, refused: true }, f.message);
  else logger.warn(fields, f.message);
  // A log level above warn (error, fatal, silent) must not make a weakness silent: say it on stderr instead.
  if (!logger.isLevelEnabled(f.severity === 'refuse' ? 'error' : 'warn')) process.stderr.write(`${f.severity === 'refuse' ? 'refused' : 'warning'} [${f.check}] ${f.message}\n`);
}
if (refused.length > 0) {
  const e = insecureConfigError(refused);
  logger.fatal({ code: e.code, checks: refused.map((f) => f.check) }, 'start refused: insecure configuration');
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exit(2);
}
const agent = createAgent({ config, logger });

try {
  await agent.start();
} catch (e) {
  logger.fatal({ code: isCodedError(e) ? e.code : undefined, err: e instanceof Error ? e.message : String(e) }, 'start failed');
  process.exit(1);
}

let stopping = false;
const onSignal = (signal: NodeJS.Signals): void => {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting without waiting');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, 'stopping: rejecting in-flight requests');
  agent.stop().then(
    () => process.exit(0),
    (e: unknown) => {
      logger.error({ err: e instanceof Error ? e.message : String(e) }, 'stop failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
