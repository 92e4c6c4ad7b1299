/**
 * Three ways to reach one org through the same msw handlers:
 * - setupOktaServer: msw's in-process interception of global fetch (one per process);
 * - startOktaServer: a real HTTP or HTTPS server (another process, curl, a real agent);
 * - oktaFetch: a fetch-compatible function with no sockets and no global patching,
 *   so that labs running side by side never see each other's requests.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { HttpHandler } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { directRouteOf, type OktaHandlerOptions, oktaHandlers, type RouteRequest } from './handlers.ts';
import type { OktaOrg } from './org.ts';
import { routeIndexOf } from './route-index.ts';
import type { PemPair } from './tls.ts';
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
  /** Address to listen on; default 127.0.0.1 (loopback only). */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Serve HTTPS with this certificate and key (see tls.ts) instead of plain HTTP. */
  tls?: PemPair;
}

export interface RunningOktaServer {
  /** Base URL, e.g. http://127.0.0.1:41234 or https://127.0.0.1:41235 (use it as the Okta org URL). */
  url: string;
  close(): Promise<void>;
}

/** A real HTTP (or HTTPS) server (node:http / node:https) answering with the org's handlers. */
export async function startOktaServer(org: OktaOrg, options: StartOktaServerOptions = {}): Promise<RunningOktaServer> {
  const { host, port, tls, ...handlerOptions } = options;
  const handlers = oktaHandlers(org, handlerOptions);
  return listenOkta(oktaRequestListener(() => handlers), { ...(host ? { host } : {}), ...(port ? { port } : {}), ...(tls ? { tls } : {}) });
}

/**
 * A request listener answering with whatever handlers `current()` gives at
 * the moment a request arrives (a stable endpoint swaps them per scenario);
 * `undefined` answers 503 E0000010 with `whenNone` as the summary.
 */
export function oktaRequestListener(current: () => HttpHandler[] | undefined, whenNone = 'No org is being served right now'): RequestListener {
  return (req, res) => {
    const handlers = current();
    const work = handlers ? serveOne(handlers, req, res) : Promise.resolve(sendJson(res, 503, errorBody('E0000010', `Service unavailable: ${whenNone}`, 'oaeMockNoOrg')));
    work.catch(() => {
      // A handler that throws is a bug in the mock; answer as Okta would rather than hang.
      if (!res.headersSent) sendJson(res, 500, errorBody('E0000009', 'Internal Server Error', 'oaeMockHandlerFailure'));
      else res.destroy();
    });
  };
}

/** Listens with `listener` over HTTP, or HTTPS when `tls` is given. */
export async function listenOkta(listener: RequestListener, opts: { host?: string; port?: number; tls?: PemPair } = {}): Promise<RunningOktaServer> {
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, listener) : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${urlHost(addr.address)}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The host part of a URL for a listening address: IPv6 in brackets, and a
 * wildcard bind (0.0.0.0 / ::) named by its loopback address, which is what
 * a client on this machine can connect to.
 */
export function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function serveOne(handlers: HttpHandler[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  const href = `${scheme}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const index = routeIndexOf(handlers);
  const url = new URL(href);
  const picked = index.pick(method, url);
  const direct = picked ? directRouteOf(picked.handler) : undefined;
  if (picked === null) {
    // No handler can match: msw would answer nothing, so the mock's 404 (as notFound()).
    if (method !== 'GET' && method !== 'HEAD') await readBody(req);
    sendJson(res, 404, errorBody('E0000007', `Not found: Resource not found: ${url.pathname}`, 'oaeMockNoRoute'));
    return;
  }
  if (picked && direct) {
    // The handler's own pipeline on node:http's request: no WHATWG Request or Response (route-index.ts picked what msw would).
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
    picked.handler.isUsed = true;
    const reply = await direct(new NodeRouteRequest(url, req, res, body), picked.params);
    if (reply.kind === 'network-error') {
      req.socket.resetAndDestroy();
      return;
    }
    // Headers as the Response path wrote them (a Headers object lists them in lower case, sorted).
    const text = reply.status === 204 ? '' : JSON.stringify(reply.body);
    const out: Record<string, string> = { 'content-length': String(Buffer.byteLength(text)) };
    if (reply.status !== 204) out['content-type'] = 'application/json';
    for (const [k, v] of Object.entries(reply.headers)) out[k.toLowerCase()] = v;
    res.writeHead(reply.status, out);
    // A string body: node:http sends it in one write with the head.
    res.end(text);
    return;
  }
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  // Headers as the client sent them (rawHeaders keeps repeats), without a Headers object in between.
  const raw = req.rawHeaders;
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new Error('client went away'));
  });
  const request = new SignalledRequest(href, { method, headers, ...(body && body.length > 0 ? { body } : {}) }, abort.signal);
  const response = (await index.respond(request, url)) ?? notFound(request);
  if (response.type === 'error') {
    // Forced network error: reset the connection (TCP RST) without an answer, as a dropped
    // connection or a middlebox does; the client sees ECONNRESET / "other side closed".
    req.socket.resetAndDestroy();
    return;
  }
  const out: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    out[key] = value;
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  out['content-length'] = String(bytes.length);
  res.writeHead(response.status, out);
  res.end(bytes);
}

/**
 * node:http's request as the handlers' pipeline reads it (handlers.ts
 * RouteRequest), read as a Request built from it would read: headers from
 * rawHeaders, the body as Request.text() decodes it. The AbortSignal is made only
 * when read (a latency fault): it aborts, with the reason, if the client has
 * gone away or goes away later.
 */
class NodeRouteRequest implements RouteRequest {
  readonly url: URL;
  readonly #req: IncomingMessage;
  readonly #body: Buffer | undefined;
  #abort: AbortController | undefined;
  #gone = false;

  constructor(url: URL, req: IncomingMessage, res: ServerResponse, body: Buffer | undefined) {
    this.url = url;
    this.#req = req;
    this.#body = body;
    res.once('close', () => {
      if (res.writableFinished) return;
      this.#gone = true;
      this.#abort?.abort(new Error('client went away'));
    });
  }

  header(name: string): string | null {
    // From rawHeaders, as Headers.get gives it: every occurrence joined with ", " (node's
    // req.headers keeps only the first Authorization, where a Request joins them).
    const raw = this.#req.rawHeaders;
    let value: string | null = null;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key = raw[i]!;
      if (key.length !== name.length || key.toLowerCase() !== name) continue;
      value = value === null ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
    }
    return value;
  }

  async text(): Promise<string> {
    const b = this.#body;
    if (!b || b.length === 0) return '';
    // Request.text() decodes UTF-8 and drops a leading byte-order mark.
    const bom = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
    return b.toString('utf8', bom ? 3 : 0);
  }

  get signal(): AbortSignal {
    if (!this.#abort) {
      this.#abort = new AbortController();
      if (this.#gone) this.#abort.abort(new Error('client went away'));
    }
    return this.#abort.signal;
  }
}

/**
 * A Request whose `signal` is the given one. `new Request(url, { signal })`
 * makes a second AbortController that follows the given signal through a
 * WeakRef and a FinalizationRegistry entry: ~15–40 µs a request of CPU and GC
 * on the served path, for a signal the handlers only read while a latency
 * fault sleeps. Handlers see the same thing either way: a signal that aborts,
 * with the reason, when the client goes away (or the caller aborts).
 */
class SignalledRequest extends Request {
  readonly #signal: AbortSignal;
  constructor(input: string | URL | Request, init: RequestInit | undefined, signal: AbortSignal) {
    super(input, init);
    this.#signal = signal;
  }
  override get signal(): AbortSignal {
    return this.#signal;
  }
}

/** The request body (the mock's bodies are small JSON documents). */
function readBody(req: IncomingMessage): Promise<Buffer<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** A fetch-compatible function routed through the org's handlers in-process. */
export function oktaFetch(org: OktaOrg, options: OktaHandlerOptions = {}): FetchLike {
  const index = routeIndexOf(oktaHandlers(org, options));
  return async (input, init) => {
    const { signal, ...rest } = init ?? {};
    const request = signal ? new SignalledRequest(input, rest, signal) : new Request(input, init);
    let response: Response | undefined;
    try {
      response = await index.respond(request);
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
