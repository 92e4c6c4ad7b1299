import { isIP } from 'node:net';
import { type Clock, systemClock } from './clock.ts';
import { type AgentConfig, type AgentConfigInput, type AppConfig, validateConfig } from './config.ts';
import { type AuthProtocol, Engine } from './engine/engine.ts';
import { RequestGate } from './engine/request-gate.ts';
import type { Decision } from './engine/reasons.ts';
import { HealthServer } from './http.ts';
import { decisionWriter, type Logger, silentLogger } from './logger.ts';
import { AgentMetrics } from './metrics.ts';
import { CachingOktaApi } from './okta/cache.ts';
import { type FetchLike, OktaClient } from './okta/client.ts';
import type { OktaApi } from './okta/types.ts';
import { type Endpoint, PacketEvents } from './packet-events.ts';
import { authProtocolOf } from './radius/chap.ts';
import { RadiusCode } from './radius/codes.ts';
import { attr, getOctets, getText, type RadiusAttribute, type RadiusPacket } from './radius/packet.ts';
import { type RadiusReply, type RadiusRequestContext, RadiusServer } from './transport/radius-server.ts';

/**
 * The reference agent assembled: one RADIUS listener per app (transport), one
 * decision engine per app, one Okta client, logs, metrics and an optional
 * health/metrics HTTP listener. This is what the CLI runs and what the
 * harness embeds (with its VirtualClock and the mock org's fetch).
 */

export interface CreateAgentOptions {
  /** Parsed or raw (defaults are filled and everything is validated: CONFIG_INVALID on error). */
  config: AgentConfig | AgentConfigInput;
  clock?: Clock;
  /** Fetch for Okta calls (the lab passes oktaFetch(org)); default: undici pool. */
  fetch?: FetchLike;
  /** Replace the Okta client entirely (tests). */
  okta?: OktaApi;
  logger?: Logger;
  events?: PacketEvents;
  /** Environment for `${NAME}` in a raw config. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface AppEndpoint {
  app: string;
  endpoint: Endpoint;
}

export interface StopOptions {
  /** 'reject' (default): in-flight requests are answered Access-Reject 'agent-stopping'. 'finish': they run to their end. */
  inFlight?: 'reject' | 'finish';
}

export interface RadiusMfaAgent {
  readonly config: AgentConfig;
  readonly events: PacketEvents;
  readonly metrics: AgentMetrics;
  /** Bind every app's listener (and the HTTP listener if configured). */
  start(): Promise<AppEndpoint[]>;
  stop(options?: StopOptions): Promise<void>;
  /** Where each app listens (after start). */
  readonly endpoints: readonly AppEndpoint[];
  /** The health/metrics listener, when configured and started. */
  readonly httpEndpoint: Endpoint | undefined;
  /** Requests still being decided, over all apps (lets a test driver tell when the agent is idle). */
  readonly inFlight: number;
}

const QUEUE_FULL: Decision = Object.freeze({ result: 'reject', reason: 'request-queue-full', replyMessage: 'The MFA service is busy. Try again in a moment.' });
const MALFORMED_PASSWORD: Decision = Object.freeze({
  result: 'reject',
  reason: 'protocol-not-supported',
  replyMessage: 'The User-Password attribute is malformed. Set the RADIUS client to PAP.',
});

/** RADIUS protocol names as the engine knows them. */
const PROTOCOL: Record<ReturnType<typeof authProtocolOf>, AuthProtocol> = {
  pap: 'pap',
  chap: 'chap',
  mschapv1: 'mschapv1',
  mschapv2: 'mschapv2',
  eap: 'eap',
  none: 'none',
};

export function createAgent(options: CreateAgentOptions): RadiusMfaAgent {
  const config = validateConfig(options.config, options.env);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const events = options.events ?? new PacketEvents();
  const metrics = new AgentMetrics();
  metrics.observe(events);

  const httpClient = options.okta
    ? undefined
    : new OktaClient({
      orgUrl: config.okta.orgUrl,
      apiToken: config.okta.apiToken,
      clock,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      requestTimeoutMs: config.okta.requestTimeoutMs,
      maxRetries: config.okta.maxRetries,
      retryBackoffMs: config.okta.retryBackoffMs,
      maxRateLimitWaitMs: config.okta.maxRateLimitWaitMs,
      pushPollIntervalMs: config.okta.pushPollIntervalMs,
      pushPollMaxIntervalMs: config.okta.pushPollMaxIntervalMs,
      callsPerSecond: config.okta.callsPerSecond,
      pushPollsPerSecond: config.okta.pushPollsPerSecond,
      ...(config.okta.pushPollConcurrency === undefined ? {} : { pushPollConcurrency: config.okta.pushPollConcurrency }),
      maxConnections: config.okta.maxConnections,
      onCall: (r) => metrics.oktaLatency.observe({ operation: r.operation, status: String(r.status) }, r.durationMs / 1000),
    });
  // Lookups remembered for at most lookupCacheMs (0 = off); an injected OktaApi (tests) is used as it is.
  const oktaClient: OktaApi =
    options.okta ??
    (config.okta.lookupCacheMs > 0 && httpClient
      ? new CachingOktaApi(httpClient, { clock, ttlMs: config.okta.lookupCacheMs, maxUsers: config.okta.lookupCacheUsers })
      : httpClient!);

  // The decision line's keys are fixed and none holds a secret: it is written from those
  // fields alone (logger.ts decisionWriter), not through pino's generic serialisation and redaction.
  const writeDecision = decisionWriter(logger);
  const stopping = new AbortController();
  // ragent.num_request_threads: at most this many requests decided at once (see engine/request-gate.ts).
  const gate = new RequestGate(config.requestThreads);
  const servers: Array<{ app: AppConfig; server: RadiusServer }> = [];
  for (const app of config.apps) {
    const engine = new Engine({
      app: {
        name: app.name,
        ...(app.appId ? { appId: app.appId } : {}),
        mode: app.mode,
        usernameFormat: app.usernameFormat,
        timeouts: app.timeouts,
        factorMenu: app.factorMenu,
        oktaApp: app.oktaApp,
        inlineEnrollment: app.inlineEnrollment,
        ...(app.groups ? { groups: { include: app.groups.include } } : {}),
      },
      okta: oktaClient,
      clock,
      onPushPending: (d) => metrics.pendingPushes.inc({ app: app.name }, d),
    });
    const server = new RadiusServer({
      clock,
      events,
      observer: 'agent',
      host: app.listen.host,
      port: app.listen.port,
      duplicateTtlMs: app.duplicateTtlMs,
      ...(app.listen.receiveBufferBytes === undefined ? {} : { receiveBufferBytes: app.listen.receiveBufferBytes }),
      clients: app.clients.map((c) => ({
        name: c.name,
        address: c.address,
        secret: c.secret,
        requireMessageAuthenticator: c.requireMessageAuthenticator,
      })),
      handler: (ctx) => handle(ctx, app, engine),
    });
    servers.push({ app, server });
  }

  /**
   * One Access-Request. A request decided without Okta (the hygiene path: not PAP, no
   * user name …) is answered synchronously — no promise, deadline or signal — and
   * counted and logged exactly as one decided by engine.authenticate.
   */
  function handle(ctx: RadiusRequestContext, app: AppConfig, engine: Engine): RadiusReply | null | Promise<RadiusReply | null> {
    const started = clock.now();
    const protocol = PROTOCOL[authProtocolOf(ctx.packet)];
    const userName = getText(ctx.packet, 'User-Name');
    let password: string | undefined;
    try {
      password = protocol === 'pap' ? ctx.userPassword()?.toString('utf8') : undefined;
    } catch {
      password = undefined;
    }
    const release = gate.tryEnter();
    if (!release) {
      // Okta's wording, so operators find it as they would in the real agent's log.
      logger.warn({ app: app.name, client: ctx.client.name, threads: gate.limit }, 'Request queue is full');
      return decided(ctx, app, started, userName, QUEUE_FULL);
    }
    if (protocol === 'pap' && password === undefined) {
      release();
      return decided(ctx, app, started, userName, MALFORMED_PASSWORD);
    }
    // While the agent stops, authenticate answers agent-stopping even for these.
    const now = stopping.signal.aborted ? undefined : engine.decideWithoutOkta({ userName, password, protocol });
    if (now) {
      release();
      return decided(ctx, app, started, userName, now);
    }
    const state = getOctets(ctx.packet, 'State');
    const clientIp = app.reportClientIp ? clientIpOf(ctx.packet, app.reportClientIp.attribute) : undefined;
    return engine
      .authenticate({
        clientIp,
        userName,
        password,
        protocol,
        state,
        // Both ends as they are: the engine listens to each and removes its listeners when the
        // request ends (AbortSignal.any would leave ~60 B per request on `stopping`); the
        // request's own end makes no AbortController (ctx.end).
        signal: ctx.end,
        stopSignal: stopping.signal,
      })
      // One then for both (not finally + then: two promises and closures fewer per pending request).
      .then(
        (decision) => {
          release();
          return decided(ctx, app, started, userName, decision);
        },
        (e: unknown) => {
          release();
          throw e;
        },
      );
  }

  /** Counts and logs a decision and turns it into the reply. */
  function decided(ctx: RadiusRequestContext, app: AppConfig, started: number, userName: string | undefined, decision: Decision): RadiusReply | null {
    metrics.countDecision(app.name, decision.result, decision.reason);
    // One line per decision; never the password, passcode or secret.
    writeDecision({
      app: app.name,
      client: ctx.client.name,
      remote: `${ctx.remote.address}:${ctx.remote.port}`,
      id: ctx.packet.identifier,
      userName,
      login: decision.login,
      result: decision.result,
      reason: decision.reason,
      factor: decision.factor,
      ms: clock.now() - started,
    });
    return toReply(decision, app.groups);
  }

  let endpoints: AppEndpoint[] = [];
  let http: HealthServer | undefined;
  let httpEndpoint: Endpoint | undefined;
  let running = false;

  const agent: RadiusMfaAgent = {
    config,
    events,
    metrics,
    get inFlight() {
      return servers.reduce((n, { server }) => n + server.inFlight, 0);
    },
    get endpoints() {
      return endpoints;
    },
    get httpEndpoint() {
      return httpEndpoint;
    },
    async start() {
      if (running) return endpoints;
      const bound: AppEndpoint[] = [];
      try {
        for (const { app, server } of servers) {
          const endpoint = await server.listen();
          bound.push({ app: app.name, endpoint });
          logger.info(
            { app: app.name, host: endpoint.address, port: endpoint.port, mode: app.mode, receiveBufferBytes: server.receiveBufferBytes },
            'listening',
          );
        }
        if (config.http) {
          http = new HealthServer(
            {
              healthy: () => running && !stopping.signal.aborted,
              health: () => ({ status: running && !stopping.signal.aborted ? 'ok' : 'stopping', apps: endpoints }),
              metricsText: () => metrics.text(),
              metricsContentType: metrics.contentType,
            },
            config.http.host,
            config.http.port,
          );
          httpEndpoint = await http.listen();
          logger.info({ host: httpEndpoint.address, port: httpEndpoint.port }, 'http listening');
        }
      } catch (e) {
        for (const { server } of servers) await server.close();
        await http?.close();
        throw e;
      }
      endpoints = bound;
      running = true;
      return endpoints;
    },
    async stop(stopOptions: StopOptions = {}) {
      if (stopOptions.inFlight !== 'finish') stopping.abort();
      // The engine answers aborted requests at once; draining sends those answers
      // (the transport waits for the socket to flush them) before it closes.
      await Promise.all(servers.map(({ server }) => server.close({ drain: true })));
      stopping.abort();
      await http?.close();
      http = undefined;
      httpEndpoint = undefined;
      running = false;
      metrics.detach();
      await httpClient?.close();
      logger.info('stopped');
    },
  };
  return agent;
}

/** Reply-Message is text of at most 253 octets per attribute; longer text is split (RFC 2865 §5.18 allows several). */
export function replyMessages(text: string): RadiusAttribute[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: RadiusAttribute[] = [];
  for (let i = 0; i < bytes.length; i += 253) out.push(attr.octets('Reply-Message', bytes.subarray(i, i + 253)));
  return out;
}

/**
 * Reply-Message attributes by text, for toReply: the texts are a small set (the engine's
 * messages, a few with a masked phone or address), so each is encoded once rather than
 * per reply. Bounded; the encoder only reads the values.
 */
const replyMessageCache = new Map<string, readonly RadiusAttribute[]>();
const MAX_CACHED_REPLY_MESSAGES = 512;

function cachedReplyMessages(text: string): readonly RadiusAttribute[] {
  let messages = replyMessageCache.get(text);
  if (!messages) {
    messages = Object.freeze(replyMessages(text));
    if (replyMessageCache.size >= MAX_CACHED_REPLY_MESSAGES) replyMessageCache.clear();
    replyMessageCache.set(text, messages);
  }
  return messages;
}

export function toReply(decision: Decision, groups?: AppConfig['groups']): RadiusReply | null {
  const messages = decision.replyMessage ? cachedReplyMessages(decision.replyMessage) : [];
  switch (decision.result) {
    case 'accept':
      return { code: RadiusCode.AccessAccept, attributes: [...messages, ...groupAttributes(decision.groups, groups)] };
    case 'reject':
      return { code: RadiusCode.AccessReject, attributes: messages };
    case 'challenge':
      return { code: RadiusCode.AccessChallenge, attributes: [...messages, attr.octets('State', decision.state ?? new Uint8Array())] };
    case 'no-response':
      return null;
  }
}

/**
 * The groups of an accept as RADIUS attributes (Okta_Radius_App-gen-group-auth.htm): 11 Filter-Id,
 * 25 Class or 26 Vendor-Specific; one per group, or one with the names joined. The page names a
 * "Response Format" and a "Group Name Format" without listing their values: these two formats and
 * the group's Okta name are ours.
 */
export function groupAttributes(names: readonly string[] | undefined, groups: AppConfig['groups']): RadiusAttribute[] {
  if (!groups || !names || names.length === 0) return [];
  const values = groups.responseFormat === 'joined' ? [names.join(groups.separator)] : [...names];
  return values.map((v) => {
    if (groups.attribute === 'filter-id') return attr.text('Filter-Id', v);
    if (groups.attribute === 'class') return attr.octets('Class', v);
    return attr.vendor(groups.vendorId!, groups.vendorType!, new TextEncoder().encode(v));
  });
}

/**
 * The user's IP as the RADIUS client reports it ("Report Client IP", Okta_Radius_App-gen-client-ip.htm):
 * Calling-Station-Id (text; only when it holds an IP address — many clients put a MAC there) or
 * Framed-IP-Address (4 octets).
 */
export function clientIpOf(packet: RadiusPacket, attribute: 'Calling-Station-Id' | 'Framed-IP-Address'): string | undefined {
  if (attribute === 'Calling-Station-Id') {
    const text = getText(packet, 'Calling-Station-Id')?.trim();
    return text && isIP(text) !== 0 ? text : undefined;
  }
  const octets = getOctets(packet, 'Framed-IP-Address');
  return octets?.length === 4 ? Array.from(octets).join('.') : undefined;
}
