/**
 * Three ways to reach one org through the same msw handlers:
 * - setupOktaServer: msw's in-process interception of global fetch (one per process);
 * - startOktaServer: a real HTTP server on loopback (another process, curl, a real agent);
 * - oktaFetch: a fetch-compatible function with no sockets and no global patching,
 *   so that labs running side by side never see each other's requests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, type HttpHandler } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { type OktaHandlerOptions, oktaHandlers } from './handlers.ts';
import type { OktaOrg } from './org.ts';
import { errorBody } from './views.ts';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * msw setupServer answering for the org's URL (org.orgUrl) only. Not yet
 * listening: call `listen({ onUnhandledFrame: 'bypass' })` (msw 3's name) and `close()`.
 */
export function setupOktaServer(org: OktaOrg, options: OktaHandlerOptions = {}): SetupServer {
  return setupServer(...oktaHandlers(org, { origin: org.orgUrl, ...options }));
}

export interface StartOktaServerOptions extends Omit<OktaHandlerOptions, 'origin'> {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface RunningOktaServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (use it as the Okta org URL). */
  url: string;
  close(): Promise<void>;
}

/** A real HTTP server (node:http) answering with the org's handlers. */
export async function startOktaServer(org: OktaOrg, options: StartOktaServerOptions = {}): Promise<RunningOktaServer> {
  const { host = '127.0.0.1', port = 0, ...handlerOptions } = options;
  const handlers = oktaHandlers(org, handlerOptions);
  const server = createServer((req, res) => {
    serveOne(handlers, req, res).catch(() => {
      // A handler that throws is a bug in the mock; answer as Okta would rather than hang.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(errorBody('E0000009', 'Internal Server Error', 'oaeMockHandlerFailure')));
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${hostPart}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serveOne(handlers: HttpHandler[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  }
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new Error('client went away'));
  });
  const method = req.method ?? 'GET';
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method,
    headers,
    signal: abort.signal,
    ...(method === 'GET' || method === 'HEAD' || chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
  });
  const response = (await getResponse(handlers, request)) ?? notFound(request);
  if (response.type === 'error') {
    // Forced network error: drop the connection without an answer.
    req.socket.destroy();
    return;
  }
  const out: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    out[key] = value;
  });
  const body = Buffer.from(await response.arrayBuffer());
  out['content-length'] = String(body.length);
  res.writeHead(response.status, out);
  res.end(body);
}

/** A fetch-compatible function routed through the org's handlers in-process. */
export function oktaFetch(org: OktaOrg, options: OktaHandlerOptions = {}): FetchLike {
  const handlers = oktaHandlers(org, options);
  return async (input, init) => {
    const request = new Request(input, init);
    let response: Response | undefined;
    try {
      response = await getResponse(handlers, request);
    } catch (e) {
      if (request.signal.aborted) throw request.signal.reason;
      throw e;
    }
    if (request.signal.aborted) throw request.signal.reason;
    if (response?.type === 'error') {
      // What undici's fetch throws when the connection drops.
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed (simulated network error)'), { code: 'UND_ERR_SOCKET' }) });
    }
    return response ?? notFound(request);
  };
}

function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return Response.json(errorBody('E0000007', `Not found: Resource not found: ${path}`, 'oaeMockNoRoute'), { status: 404 });
}
