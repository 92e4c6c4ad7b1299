/**
 * `radius-mfa-agent --config FILE [--check]`
 *
 * Exit codes: 0 ok (or --check passed), 2 configuration invalid or unreadable,
 * 1 could not start (e.g. port in use) or stopped by a second signal.
 */
import { Command } from 'commander';
import { createAgent } from './agent.ts';
import { type AgentConfig, loadConfigFile } from './config.ts';
import { isCodedError } from './errors.ts';
import { createLogger } from './logger.ts';

const program = new Command()
  .name('radius-mfa-agent')
  .description('RADIUS server that checks MFA with Okta (PAP; MFA-only, password,passcode or password-first per app)')
  .requiredOption('-c, --config <file>', 'YAML configuration file')
  .option('--check', 'validate the configuration and exit (0 = valid, 2 = invalid)')
  .showHelpAfterError();

program.parse(process.argv);
const opts = program.opts<{ config: string; check?: boolean }>();

let config: AgentConfig;
try {
  config = loadConfigFile(opts.config);
} catch (e) {
  process.stderr.write(`${isCodedError(e) ? `${e.code}: ${e.message}` : String(e)}\n`);
  process.exit(2);
}

if (opts.check) {
  const apps = config.apps.map((a) => `${a.name} (${a.mode}, ${a.listen.host}:${a.listen.port}, ${a.clients.length} client(s))`);
  process.stdout.write(`configuration OK: ${apps.join('; ')}\n`);
  process.exit(0);
}

const logger = createLogger({ level: config.logging.level });
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
