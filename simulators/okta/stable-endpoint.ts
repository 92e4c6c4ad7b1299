/**
 * okta-mock for agents someone else runs: ONE mock-Okta endpoint for a whole
 * run — a fixed URL, API token and CA — behind which each scenario's org is
 * swapped in (`use(org)`) and out (the returned release). An agent configured
 * once with that URL, token and CA (and the app id) meets every scenario's
 * users, factors and faults, so every scenario that needs only the mock Okta
 * applies to any agent that speaks Okta's public API.
 *
 *   const endpoint = await startStableOktaEndpoint({ appId });   // once per run
 *   const release = endpoint.use(lab.org, { observe });          // per scenario
 *   …                                                            // the agent calls endpoint.url
 *   release();                                                   // scenario over: 503 until the next use()
 *   await endpoint.close();                                      // end of run
 *
 * One org at a time: a second use() while one is in use throws
 * OKTA_ENDPOINT_BUSY (two scenarios sharing one external agent at once would
 * see each other's users). Between scenarios the endpoint answers 503 E0000010.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpHandler } from 'msw';
import { CodedError } from '../../agent/src/errors.ts';
import { type OktaHandlerOptions, oktaHandlers } from './handlers.ts';
import type { OktaOrg } from './org.ts';
import { listenOkta, oktaRequestListener, type RunningOktaServer } from './serve.ts';
import { createCa, issueServerCert, loadOrCreateCa, serverNames } from './tls.ts';

export interface StableOktaEndpointOptions {
  /** Address to listen on; default 127.0.0.1. Give the agent's reachable address (or 0.0.0.0) for an agent on another host. */
  host?: string;
  /** Fixed ports (default 0: any free port). */
  ports?: { https?: number; http?: number };
  /**
   * HTTPS (default on) with a certificate for `hosts` (plus loopback and
   * `host`) from a CA kept in `dir` (reused across runs) or made fresh in a
   * temporary folder removed by close(). false: plain HTTP only.
   */
  tls?: false | { dir?: string; hosts?: string[] };
  /** The SSWS token every org served here accepts; default: random per endpoint. */
  apiToken?: string;
  /** The RADIUS app id the agent is configured with: use() refuses an org without it. */
  appId?: string;
  /** Name the event log gives the token in each org (default 'okta-mock endpoint'). */
  tokenName?: string;
}

export interface StableOktaEndpoint {
  /** What the agent's org URL is: the HTTPS URL (the HTTP one with tls: false). */
  readonly url: string;
  /** Plain HTTP, for clients that cannot do TLS. */
  readonly httpUrl: string;
  /** PEM file of the CA to trust (NODE_EXTRA_CA_CERTS, a Java trust store); undefined with tls: false. */
  readonly caFile: string | undefined;
  readonly caPem: string | undefined;
  /** SSWS token (never log it). */
  readonly apiToken: string;
  readonly appId: string | undefined;
  /** The org being served, if any. */
  readonly current: OktaOrg | undefined;
  /**
   * Serves `org` from now on (it is taught the endpoint's token); returns the
   * release function (idempotent; a stale release after another use() does nothing).
   */
  use(org: OktaOrg, options?: Omit<OktaHandlerOptions, 'origin'>): () => void;
  close(): Promise<void>;
}

export async function startStableOktaEndpoint(options: StableOktaEndpointOptions = {}): Promise<StableOktaEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const apiToken = options.apiToken ?? `00${randomBytes(30).toString('base64url')}`;
  const tokenName = options.tokenName ?? 'okta-mock endpoint';
  let lease: { org: OktaOrg; handlers: HttpHandler[]; id: number } | undefined;
  let leases = 0;
  const listener = oktaRequestListener(() => lease?.handlers, 'no scenario is using the okta-mock endpoint right now');
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    closers.length = 0;
  };
  try {
    const http = await listenOkta(listener, { host, ...(options.ports?.http ? { port: options.ports.http } : {}) });
    closers.push(() => http.close());
    let https: RunningOktaServer | undefined;
    let caFile: string | undefined;
    let caPem: string | undefined;
    if (options.tls !== false) {
      const tls = options.tls ?? {};
      let ca: { certPem: string; keyPem: string; caFile: string };
      if (tls.dir) {
        ca = await loadOrCreateCa(tls.dir);
      } else {
        const dir = await mkdtemp(join(tmpdir(), 'okta-mock-ca-'));
        closers.push(() => rm(dir, { recursive: true, force: true }));
        ca = { ...createCa('radius-mfa-harness okta-mock CA'), caFile: join(dir, 'ca.pem') };
        await writeFile(ca.caFile, ca.certPem, { mode: 0o644 });
      }
      https = await listenOkta(listener, {
        host,
        ...(options.ports?.https ? { port: options.ports.https } : {}),
        tls: issueServerCert(ca, serverNames(host, tls.hosts ?? [])),
      });
      closers.push(() => https!.close());
      caFile = ca.caFile;
      caPem = ca.certPem;
    }
    const endpoint: StableOktaEndpoint = {
      url: https?.url ?? http.url,
      httpUrl: http.url,
      caFile,
      caPem,
      apiToken,
      appId: options.appId,
      get current() {
        return lease?.org;
      },
      use(org, handlerOptions = {}) {
        if (lease) {
          throw new CodedError(
            'OKTA_ENDPOINT_BUSY',
            'The okta-mock endpoint is serving another org; release it first (one scenario at a time per external agent: run with --parallel 1).',
          );
        }
        if (options.appId !== undefined && !org.getApp(options.appId)) {
          throw new CodedError(
            'OKTA_ENDPOINT_APP_MISSING',
            `The org has no app ${options.appId}, the app id the agent is configured with; build the scenario's org from the same seed (ids derive from it).`,
            { appId: options.appId },
          );
        }
        if (!org.isAuthorized(`SSWS ${apiToken}`)) org.createApiToken(tokenName, apiToken);
        const id = ++leases;
        lease = { org, handlers: oktaHandlers(org, handlerOptions), id };
        return () => {
          if (lease?.id === id) lease = undefined;
        };
      },
      async close() {
        lease = undefined;
        await closeAll();
      },
    };
    return endpoint;
  } catch (e) {
    await closeAll();
    throw new CodedError('OKTA_ENDPOINT_START_FAILED', `The okta-mock endpoint could not start on ${host} (${(e as Error).message}); check the address and ports.`, { host }, { cause: e });
  }
}
