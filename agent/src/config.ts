import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { INSECURE_ALLOWANCES } from './config-warnings.ts';
import { CodedError } from './errors.ts';

/**
 * The agent's configuration: YAML, validated here. Any string value may hold
 * `${NAME}` to take it from the environment (so secrets and the API token need
 * not sit in the file); `$${` writes a literal `${`. A missing variable is a
 * CONFIG_INVALID error naming the key and the variable.
 */

const positiveMs = (what: string) => z.number({ error: `${what} must be a number of milliseconds` }).int().positive();

const clientSchema = z.object({
  name: z.string().min(1, 'give the client a name (shown in logs and metrics)'),
  /** Source IP or CIDR block; the secret is chosen by it. */
  address: z.string().min(1, 'the client source address (IP or CIDR) is required'),
  secret: z.string().min(1, 'the shared secret must not be empty'),
  requireMessageAuthenticator: z.boolean().default(true),
});

const timeoutsSchema = z
  .object({
    totalRequestMs: positiveMs('totalRequestMs').default(60_000),
    pushMs: positiveMs('pushMs').optional(),
    responseModeOnTimeout: z
      .enum(['reject-when-polling-mfa', 'always-reject', 'no-response'], {
        error: "must be 'reject-when-polling-mfa', 'always-reject' or 'no-response'",
      })
      .default('reject-when-polling-mfa'),
    otpMs: positiveMs('otpMs').default(300_000),
    // ragent.mfa.timeout.seconds, default 60 (Okta help, Agent_install_linux-conf-properties.htm).
    challengeMs: positiveMs('challengeMs').default(60_000),
  })
  .strict()
  .default({ totalRequestMs: 60_000, responseModeOnTimeout: 'reject-when-polling-mfa', otpMs: 300_000, challengeMs: 60_000 });

const appSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, dot, dash or underscore'),
    appId: z.string().min(1).optional(),
    listen: z
      .object({
        host: z.string().min(1).default('0.0.0.0'),
        port: z.number().int().min(0, 'port must be 0..65535 (0 = any free port)').max(65535, 'port must be 0..65535').default(1812),
        /** SO_RCVBUF to ask for (bytes); default 4 MiB so bursts wait in the kernel instead of being dropped; 0 = OS default. */
        receiveBufferBytes: z
          .number({ error: 'receiveBufferBytes must be a number of bytes' })
          .int()
          .min(0, 'receiveBufferBytes must be >= 0 (0 = the OS default)')
          .max(256 * 1024 * 1024, 'receiveBufferBytes must be at most 268435456 (256 MiB)')
          .optional(),
      })
      .strict()
      .default({ host: '0.0.0.0', port: 1812 }),
    mode: z
      .enum(['mfa-only', 'password-passcode', 'password-first'], { error: "must be 'mfa-only', 'password-passcode' or 'password-first'" })
      .default('mfa-only'),
    usernameFormat: z
      .object({
        suffix: z.string().regex(/^@[^@\s]+$/, "a suffix looks like '@corp.example.com'").optional(),
        stripDomain: z.boolean().default(true),
      })
      .strict()
      .default({ stripDomain: true }),
    /** The reference agent's model: a secret per client source address. Give this or `secret`. */
    clients: z.array(clientSchema.strict()).min(1, 'list at least one RADIUS client (address + secret)').optional(),
    /**
     * Okta's model (Okta_Radius_App-gen-addr-filtering.htm): one secret per RADIUS app (port),
     * any source address unless `allowList` (ragent.network.accept.allow_list) names them.
     */
    secret: z.string().min(1, 'the shared secret must not be empty').optional(),
    allowList: z.array(z.string().min(1)).min(1, 'list at least one address, or leave allowList out to accept any source').optional(),
    /** With `secret`: require Message-Authenticator in requests (default true, BlastRADIUS). */
    requireMessageAuthenticator: z.boolean().default(true),
    /** Password-first with one factor: prompt for it directly (default) or always show the menu. */
    factorMenu: z.enum(['when-several', 'always'], { error: "must be 'when-several' or 'always'" }).default('when-several'),
    /** Which Okta app this stands for: Duo rules differ (amazon-workspaces: Duo passcode only; radius: Duo push/SMS/passcode). */
    oktaApp: z.enum(['amazon-workspaces', 'radius'], { error: "must be 'amazon-workspaces' or 'radius'" }).default('amazon-workspaces'),
    /**
     * The RADIUS app's inline enrolment box (Okta_Radius_App-gen-config-app.htm: "To permit inline
     * enrollment, check the box"); default false, as the box starts cleared. Password-first only: a
     * user with no factor enrols SMS or a voice call through Access-Challenges.
     */
    inlineEnrollment: z.boolean({ error: 'inlineEnrollment must be true or false' }).default(false),
    /**
     * "Report Client IP" (Okta_Radius_App-gen-client-ip.htm): the attribute that carries the user's
     * IP ("The most common attribute used for this information is 31 Calling Station ID"); the agent
     * passes it to Okta's Authn API (password modes) for network-zone rules. Off when absent.
     */
    reportClientIp: z
      .object({
        attribute: z.enum(['Calling-Station-Id', 'Framed-IP-Address'], { error: "must be 'Calling-Station-Id' or 'Framed-IP-Address'" }).default('Calling-Station-Id'),
      })
      .strict()
      .optional(),
    /**
     * "Include groups in RADIUS response" (Okta_Radius_App-gen-group-auth.htm): the attribute
     * (11 Filter-Id, 25 Class, 26 Vendor-Specific with vendorId/vendorType), the Okta groups to pass
     * (only those), and the response format: one attribute per group, or one with the names joined.
     */
    groups: z
      .object({
        attribute: z.enum(['filter-id', 'class', 'vendor-specific'], { error: "must be 'filter-id', 'class' or 'vendor-specific'" }),
        include: z.array(z.string().min(1)).min(1, 'list the Okta groups to include in the response'),
        responseFormat: z.enum(['one-per-group', 'joined'], { error: "must be 'one-per-group' or 'joined'" }).default('one-per-group'),
        separator: z.string().min(1).default(','),
        vendorId: z.number().int().min(1).max(0xffffff).optional(),
        vendorType: z.number().int().min(1).max(255).optional(),
      })
      .strict()
      .refine((g) => g.attribute !== 'vendor-specific' || (g.vendorId !== undefined && g.vendorType !== undefined), {
        message: 'vendor-specific needs vendorId and vendorType (see your RADIUS client vendor\'s dictionary)',
      })
      .optional(),
    timeouts: timeoutsSchema,
    duplicateTtlMs: positiveMs('duplicateTtlMs').default(30_000),
  })
  .strict()
  .superRefine((app, ctx) => {
    if ((app.clients === undefined) === (app.secret === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          app.clients === undefined
            ? "give either 'clients' (a secret per source address) or 'secret' (one secret for the app, any source or 'allowList'); neither is set"
            : "give either 'clients' or 'secret', not both",
      });
    }
    if (app.allowList !== undefined && app.secret === undefined) {
      ctx.addIssue({ code: 'custom', path: ['allowList'], message: "allowList goes with 'secret' (with 'clients', each client's address is the allow list)" });
    }
  })
  // Okta's model becomes the client table it means: one entry per allowed address (or any IPv4 /
  // any IPv6 source), all with the app's one secret. Everything downstream sees `clients`.
  .transform((app) => ({ ...app, clients: app.clients ?? clientsForOktaModel(app.secret ?? '', app.allowList, app.requireMessageAuthenticator) }));

/** `secret` + optional `allowList` (Okta's model) as client-table entries. */
export function clientsForOktaModel(secret: string, allowList: readonly string[] | undefined, requireMessageAuthenticator: boolean) {
  const addresses = allowList ?? ['0.0.0.0/0', '::/0'];
  return addresses.map((address) => ({
    name: allowList ? `allow-list ${address}` : address === '::/0' ? 'any IPv6 source' : 'any IPv4 source',
    address,
    secret,
    requireMessageAuthenticator,
  }));
}

export const configSchema = z
  .object({
    okta: z
      .object({
        orgUrl: z.url({ protocol: /^https?$/, error: 'must be the URL of your Okta org, e.g. https://example.okta.com' }),
        apiToken: z.string().min(1, 'an Okta API token is required (write $' + '{OKTA_API_TOKEN} to read it from the environment)'),
        requestTimeoutMs: positiveMs('requestTimeoutMs').default(10_000),
        maxRetries: z.number().int().min(0).max(10).default(2),
        retryBackoffMs: positiveMs('retryBackoffMs').default(250),
        maxRateLimitWaitMs: z.number().int().min(0).default(10_000),
        /** Pause before a push's first poll; later pauses grow ×1.5 up to pushPollMaxIntervalMs. */
        pushPollIntervalMs: positiveMs('pushPollIntervalMs').default(1_000),
        pushPollMaxIntervalMs: positiveMs('pushPollMaxIntervalMs').default(2_000),
        /**
         * Budget: Okta calls started in any one second over ALL of the agent's calls (lookups,
         * verifies, polls, retries); sign-in calls first, polls with what is left. Default 20 =
         * 1,200 a minute, Okta's documented per-minute limit for "most other API actions"
         * (/api/v1, where factor lists, verifies and push polls fall) on Workforce Identity orgs
         * (developer.okta.com/docs/reference/rl-global-mgmt/; Enterprise orgs: 600, so 10).
         */
        callsPerSecond: z
          .number({ error: 'okta.callsPerSecond must be a number of Okta calls per second (more than 0, at most 1000000; default 20)' })
          .positive('okta.callsPerSecond must be more than 0 (at most 1000000; default 20): the agent makes no Okta call without a budget')
          .max(1_000_000, 'okta.callsPerSecond must be at most 1000000 (default 20)')
          .default(20),
        /** Budget: push polls started per second over all pending pushes (Okta rate-limits per endpoint per minute). */
        pushPollsPerSecond: z.number({ error: 'pushPollsPerSecond must be a number' }).positive().max(100_000).default(200),
        /** Push polls in flight at most; default half of maxConnections, so lookups always find a connection. */
        pushPollConcurrency: z.number().int().min(1).max(1000).optional(),
        maxConnections: z.number().int().min(1).max(1000).default(20),
        /**
         * How old a remembered lookup (user, assignment, factor list) may be, ms; 0 = look up
         * on every request. Staleness rules: agent/src/okta/cache.ts and agent/README.md.
         */
        lookupCacheMs: z.number({ error: 'lookupCacheMs must be a number of milliseconds' }).int().min(0).max(86_400_000).default(300_000),
        /** Users whose lookups are remembered at most (oldest out first). */
        lookupCacheUsers: z.number().int().min(1).max(10_000_000).default(100_000),
      })
      .strict(),
    apps: z.array(appSchema).min(1, 'configure at least one RADIUS app'),
    /**
     * Requests decided at once, over all apps, as ragent.num_request_threads (default 15); when all
     * are busy a request is rejected at once and "Request queue is full" logged (radius-best-pract-ts.htm).
     */
    requestThreads: z.number({ error: 'requestThreads must be a whole number' }).int().min(1, 'requestThreads must be at least 1').max(100_000).default(15),
    logging: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
    /** Health and metrics; omitted = no HTTP listener. */
    http: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9812) })
      .strict()
      .optional(),
    /** Weak settings the operator accepts knowingly (config-warnings.ts refuses them otherwise). */
    allowInsecure: z
      .array(z.enum(INSECURE_ALLOWANCES, { error: `must list only: ${INSECURE_ALLOWANCES.join(', ')}` }))
      .default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    const ports = new Set<string>();
    cfg.apps.forEach((app, i) => {
      if (names.has(app.name)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'name'], message: `app name '${app.name}' is used twice` });
      names.add(app.name);
      const where = `${app.listen.host}:${app.listen.port}`;
      if (app.listen.port !== 0 && ports.has(where)) {
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'listen', 'port'], message: `${where} is used by another app (one listener per app)` });
      }
      ports.add(where);
      const t = app.timeouts;
      if (t.pushMs !== undefined && t.pushMs >= t.totalRequestMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['apps', i, 'timeouts', 'pushMs'],
          message: `pushMs (${t.pushMs}) must be less than totalRequestMs (${t.totalRequestMs})`,
        });
      }
    });
  });

/** The validated configuration, defaults filled in. */
export type AgentConfig = z.output<typeof configSchema>;
/** What a caller may write (defaults optional). */
export type AgentConfigInput = z.input<typeof configSchema>;
export type AppConfig = AgentConfig['apps'][number];

/** Validate an already-parsed object (e.g. the embedded target's). Throws CodedError CONFIG_INVALID. */
export function validateConfig(input: unknown, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const expanded = expandEnv(input, env, []);
  const result = configSchema.safeParse(expanded);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  throw new CodedError('CONFIG_INVALID', `The agent configuration is invalid:\n  - ${problems.join('\n  - ')}`, { problems });
}

/** Read and validate a YAML file. Throws CodedError CONFIG_INVALID (CONFIG_UNREADABLE if the file cannot be read). */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CodedError('CONFIG_UNREADABLE', `Cannot read the config file ${path}: ${(e as Error).message}. Check the --config path.`, { path });
  }
  return parseConfigText(text, env);
}

export function parseConfigText(text: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { prettyErrors: true });
  } catch (e) {
    throw new CodedError('CONFIG_INVALID', `The config file is not valid YAML: ${(e as Error).message}`);
  }
  return validateConfig(doc, env);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** Replace `${NAME}` in every string; `$${` is a literal `${`. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: PropertyKey[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([^}]*)\}/g, (match, name: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new CodedError('CONFIG_INVALID', `The agent configuration is invalid:\n  - ${formatPath(path)}: '\${${name}}' is not a valid variable name`);
      }
      const v = env[name];
      if (v === undefined) {
        throw new CodedError(
          'CONFIG_INVALID',
          `The agent configuration is invalid:\n  - ${formatPath(path)}: environment variable ${name} is not set (export it or write the value)`,
          { variable: name },
        );
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, [...path, k])]));
  }
  return value;
}
