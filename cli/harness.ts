// `radius-mfa-harness`: run (the scenario suite, the main job), lab (the simulated
// world as real servers), steps (the step catalogue). Each subcommand lives in its
// own module, loaded only when used so `--help` stays instant.
import { Command } from 'commander';

const program = new Command('radius-mfa-harness')
  .description('Simulate Amazon WorkSpaces MFA sign-in (AD Connector -> RADIUS agent -> Okta) and test RADIUS agents against it.')
  .showHelpAfterError();

program
  .command('run')
  .description('Run the scenario suite against a target agent and write reports (HTML, JUnit, conformance matrix, packet traces, pcaps).')
  .option('-t, --target <names>', 'comma-separated targets: embedded, process, container, freeradius, external', 'embedded')
  .option('--profile <file>', 'profile file of an external target (host, port, secrets, capabilities)')
  .option('--area <areas>', 'only these areas (comma-separated folder names under features/)')
  .option('--tags <expression>', 'Cucumber tag expression to select scenarios')
  .option('--name <regexp>', 'only scenarios whose name matches')
  .option('--dry-run', 'list what would run on each target and why each scenario is or is not applicable')
  .option('--out <dir>', 'report folder (default: RMH_OUT, else reports/out)', process.env.RMH_OUT ?? 'reports/out')
  .option('--parallel <n>', 'Cucumber workers', '2')
  .option('--ci', 'machine-friendly output (no progress line redraws)')
  .option('--allow-unavailable', 'exploratory runs: a target that cannot be used is reported (its scenarios not applicable) instead of failing the run')
  .argument('[paths...]', 'feature files or folders, optionally file:line (e.g. features/factors/push.feature:11), as cucumber-js takes them')
  .option('--shard <i/n>', 'run only shard i of n (split evenly by recorded duration); join the shards with `radius-mfa-harness merge`')
  .option('--durations <file>', 'recorded scenario durations for --shard (written by merge)', 'durations.json')
  .option('--rerun', 'run again the scenarios that failed (or passed unexpectedly) in the last run into --out')
  .option(
    '--okta-org <url>',
    "the agent's Okta is this org (a real test org, or a served lab's https URL): the suite sets users, states, assignments and TOTP factors up only through its Management API, " +
      'under a run prefix (rmh-…), removed at the end; scenarios that need the lab\'s mock (pushes, inboxes, faults, clock) are not applicable. Embedded and process agents are pointed at it; an external agent must be.',
  )
  .option('--okta-token-env <name>', 'environment variable holding the org\'s SSWS API token (an admin who may manage users, apps and factors)', 'OKTA_API_TOKEN')
  .option('--okta-app-id <id>', "with --okta-org: the id of the org's RADIUS app the agent serves")
  .option('--okta-ca <file>', "with --okta-org: PEM of an extra CA the org's certificate chains to (a served lab's CA file)")
  .action(async (paths: string[], opts) => {
    const { runCommand } = await import('./run.ts');
    process.exitCode = await runCommand({ ...opts, paths });
  });

program
  .command('lab')
  .description(
    'Start the simulated world (mock Okta over HTTP and HTTPS, LDAP directory, virtual devices, clock, control API) as real servers; ' +
      'prints its endpoints as one JSON line (URLs, Okta token, CA file, control token, which clock runs) and runs until SIGINT/SIGTERM.',
  )
  .requiredOption('-s, --seed <file>', 'seed file (YAML) describing users, passwords, groups, factors and devices')
  .option(
    '--host <address>',
    'address every server listens on: 127.0.0.1 (default) keeps the lab on this machine; 0.0.0.0 or :: exposes it to the network (the control API still needs its token)',
    '127.0.0.1',
  )
  .option(
    '--clock <kind>',
    'real-time (default): the lab clock follows the wall clock, so real agents and oathtool at wall time work, and POST /clock/advance still moves it forward; ' +
      "virtual: it starts at the seed's clock.start and moves only when advanced",
    'real-time',
  )
  .option('--port-base <n>', 'fixed ports: Okta HTTP = n, Okta HTTPS = n+1, LDAP = n+2, control API = n+3 (default: any free ports)')
  .option('--tls-dir <dir>', 'keep the HTTPS CA (ca.pem, ca-key.pem) here and reuse it on restart; default: a fresh CA in a temporary folder')
  .option('--no-https', 'serve the mock Okta over plain HTTP only')
  .option('--write-agent-config <file>', 'write a ready reference-agent config (YAML) wired to this lab: HTTPS org URL, token, app, a RADIUS client and secret')
  .option('--agent-listen <host:port>', 'where the written agent config listens', '127.0.0.1:1812')
  .action(async (opts) => {
    const { labCommand } = await import('./lab.ts');
    process.exitCode = await labCommand(opts);
  });

program
  .command('okta-cleanup')
  .description(
    'Remove from an Okta org every user a harness run created (logins starting with the run prefix) — what a run that crashed left behind. ' +
      'Prints {deleted, failed} as one JSON line.',
  )
  .requiredOption('--org-url <url>', 'the org, e.g. https://example.okta.com (or a served lab\'s https URL)')
  .option('--token-env <name>', 'environment variable holding the SSWS API token', 'OKTA_API_TOKEN')
  .option('--prefix <prefix>', 'only logins starting with this (a run prefix such as rmh-k3j9x2-); must start with rmh-', 'rmh-')
  .option('--ca <file>', 'PEM of an extra CA to trust (a served lab\'s okta.caFile)')
  .action(async (opts) => {
    const { oktaCleanupCommand } = await import('./okta-cleanup.ts');
    process.exitCode = await oktaCleanupCommand(opts);
  });

program
  .command('init')
  .description(
    "Write a team's layout for testing its own agent with the installed harness: features/<name>/, steps/<name>.steps.ts " +
      '(extra steps in the same catalogue), profiles/<name>.yaml, ledgers/<name>.yaml, cucumber.js (see docs/adopting.md).',
  )
  .option('--dir <dir>', "the team's repository", '.')
  .option('--name <name>', "the agent's short name: feature area, step area, profile and ledger", 'my-agent')
  .option('--force', 'replace files that exist')
  .option('--conformance', "also copy the harness's conformance features (features/<area>/) to run the same suite against your agent")
  .action(async (opts) => {
    const { initCommand } = await import('./init.ts');
    process.exitCode = await initCommand(opts);
  });

program
  .command('merge')
  .description(
    'Join the output folders of a sharded run (each from `run --shard i/n --out <dir>`) into one: matrix, one JUnit, verdicts, traces, ' +
      'durations.json for the next split, and one exit code (1 if the run fails or a shard is missing or doubled).',
  )
  .argument('<dirs...>', 'the shard folders')
  .option('--out <dir>', 'folder for the merged reports (cleared first)', 'reports/out')
  .action(async (dirs: string[], opts) => {
    const { mergeCommand } = await import('./merge.ts');
    process.exitCode = await mergeCommand(dirs, opts);
  });

program
  .command('steps')
  .description('Print the step catalogue: every Gherkin step QA can use, with an example.')
  .option('--format <format>', 'text | markdown | json', 'text')
  .action(async (opts) => {
    const { stepsCommand } = await import('./steps.ts');
    process.exitCode = await stepsCommand(opts);
  });

program
  .command('load')
  .description(
    'Drive a target agent with simulated AD Connector sign-ins (TOTP, push, wrong codes, retransmissions) at a rate or concurrency, ' +
      'bounded in count and time, loopback only; reports throughput, latency, answers by kind, Okta calls per sign-in and losses, and writes an HTML page with plots.',
  )
  .option('-t, --target <name>', 'process | container | freeradius | external', 'process')
  .option('--profile <file>', 'profile file of an external target')
  .option('--users <n>', 'simulated users (1..100000)', '1000')
  .option('--mix <weights>', 'kinds of sign-in and their weights', 'totp=80,push=10,wrong=10')
  .option('--rate <n>', 'sign-ins started per second (0 = as fast as --concurrency allows)', '0')
  .option('--concurrency <n>', 'sign-ins in flight at most', '64')
  .option('--request-threads <n>', "the reference agent's requests decided at once (process, container; its default is 15, as Okta's agent)")
  .option('--okta-calls-per-second <n>', "the reference agent's Okta call budget for all its calls (process, container; its default is 20, Okta's 1,200 a minute)")
  .option('--count <n>', 'stop after this many sign-ins (at most 1000000)', '10000')
  .option('--duration <seconds>', 'stop after this long (at most 600)', '60')
  .option('--timeout-ms <ms>', 'a sign-in unanswered this long is lost', '40000')
  .option('--retransmit <share>', 'share of requests sent twice, as a NAS retransmits (0..1)', '0.05')
  .option('--retransmit-after-ms <ms>', 'when the second copy goes if still unanswered', '1000')
  .option('--push-answer-ms <ms>', 'the virtual phones approve a push after this long', '2000')
  .option('--okta-port <port>', "the mock Okta's port (0 = any; fix it for an external agent)", '0')
  .option('--okta-token <token>', 'the API token the mock Okta issues (for an external agent)')
  .option('--namespace-address', 'also allow private addresses (a network namespace you made), not only loopback')
  .option('--out <dir>', 'folder for load.html and load.json', 'reports/out/load')
  .option('--quiet', 'no progress line')
  .action(async (opts) => {
    const { loadCommand } = await import('./load.ts');
    process.exitCode = await loadCommand(opts);
  });

await program.parseAsync(process.argv);
