/**
 * A route index over an msw handler list: which handler answers a request,
 * found from the handlers' own method and path (`handler.info`) and decided by
 * msw's `matchRequestUrl`, so msw's list stays the one source of routes and
 * behaviour. msw's `getResponse` runs every handler in turn until one answers,
 * and each run clones the request, parses its URL and cookies, matches, and
 * builds an AbortController it aborts (a DOMException with a stack) — about
 * 0.1–0.45 ms a call for the mock Okta's ~25 handlers. Here a request costs a
 * lookup by method, a positional check of its path segments against each
 * template of that method, and one `matchRequestUrl` for a handler that fits;
 * then that handler's resolver is called with what msw would give it.
 *
 * Faithful to msw where it matters (route-index.test.ts checks it against msw
 * itself over generated requests): the first matching handler in list order
 * answers; one that gives no response falls through to the next; a thrown
 * Response is the answer; params are msw's. Handlers with `once`, and handlers
 * whose method or path is not a plain string (RegExp, a custom predicate), run
 * through msw's own `handler.run`. Not supported on the direct path: resolvers
 * returning generators (refused with a CodedError, never half-answered) and
 * `finalize` callbacks deferred until a streamed body settles (they run when
 * the resolver returns, as msw does for bodies that are not streams).
 */
import { HttpHandler, matchRequestUrl, type RequestHandler } from 'msw';
import { CodedError } from '../../agent/src/errors.ts';

/** A path template checked segment by segment: a literal or a `:param` per segment. */
interface SimpleTemplate {
  /** `*` (any origin, and msw's `*` also matches any path prefix) rather than one origin. */
  anyOrigin: boolean;
  /** Literal segment, or undefined for a `:param`. */
  segments: readonly (string | undefined)[];
}

type ResolverInfo = {
  request: Request;
  requestId: string;
  params: Record<string, string | readonly string[] | undefined>;
  cookies: Record<string, string>;
  finalize: (callback: () => unknown) => void;
};
type DirectResolver = (info: ResolverInfo) => unknown;

interface Entry {
  handler: RequestHandler;
  /** Position in the handler list: msw answers with the first handler that matches. */
  order: number;
  /** A string path (msw's template) when the handler is matched here; undefined: msw's handler.run decides. */
  path: string | undefined;
  simple: SimpleTemplate | undefined;
  /** The handler's resolver, called directly (only for `path` entries without `once`). */
  resolver: DirectResolver | undefined;
}

/** A plain request path: no percent-encoding, no empty segment, no trailing slash; the positional check is exact for these. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$/;
const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAM_SEGMENT = /^:[A-Za-z_]\w*$/;

/** The handler list, indexed by method; built once per list (see routeIndexOf). */
export class RouteIndex {
  readonly handlers: readonly RequestHandler[];
  readonly #byMethod = new Map<string, Entry[]>();
  /** Handlers every request must try: a RegExp method, or not an HttpHandler. */
  readonly #everyMethod: Entry[] = [];
  #requestIds = 0;

  constructor(handlers: readonly RequestHandler[]) {
    this.handlers = handlers;
    handlers.forEach((handler, order) => {
      const info = handler instanceof HttpHandler ? handler.info : undefined;
      const path = info && typeof info.path === 'string' && typeof info.method === 'string' ? info.path : undefined;
      const entry: Entry = {
        handler,
        order,
        path,
        simple: path === undefined ? undefined : simpleTemplate(path),
        resolver: path === undefined ? undefined : directResolver(handler),
      };
      if (info && typeof info.method === 'string') {
        const method = info.method.toUpperCase();
        const list = this.#byMethod.get(method) ?? [];
        list.push(entry);
        this.#byMethod.set(method, list);
      } else {
        this.#everyMethod.push(entry);
      }
    });
    if (this.#everyMethod.length > 0) {
      for (const [method, list] of this.#byMethod) this.#byMethod.set(method, [...list, ...this.#everyMethod].sort((a, b) => a.order - b.order));
    }
  }

  /**
   * The first handler in list order whose method and path match `method url`,
   * with msw's params; undefined when none does. (A handler msw must test
   * itself — RegExp method or path, custom predicate — is skipped here;
   * `respond` runs those through msw.)
   */
  find(method: string, url: URL): { handler: RequestHandler; params: ResolverInfo['params'] } | undefined {
    const segments = plainSegments(url);
    for (const e of this.#bucket(method)) {
      if (e.path === undefined) continue;
      const match = this.#match(e, url, segments);
      if (match) return { handler: e.handler, params: match };
    }
    return undefined;
  }

  /**
   * The handler msw would pick for `method url`, decided by the index alone:
   * the first handler in list order that matches, with msw's params, when
   * every handler before it is one the index models (a string path, no
   * `once`); `null` when no handler can match; `undefined` when msw must
   * decide (a handler it can't model comes first). The caller then answers
   * with the handler's resolver (or its pipeline, handlers.ts directRouteOf),
   * which for the mock's handlers always gives a response.
   */
  pick(method: string, url: URL): { handler: RequestHandler; params: ResolverInfo['params'] } | null | undefined {
    const segments = plainSegments(url);
    for (const e of this.#bucket(method)) {
      if (e.path === undefined || e.resolver === undefined) return undefined;
      const params = this.#match(e, url, segments);
      if (params) return { handler: e.handler, params };
    }
    return null;
  }

  /**
   * msw's answer to `request`: the first handler (in list order) that matches
   * and gives a response; undefined when none does. `url` saves parsing it
   * again when the caller has it.
   */
  async respond(request: Request, url: URL = new URL(request.url)): Promise<Response | undefined> {
    const requestId = `route-index-${++this.#requestIds}`;
    const segments = plainSegments(url);
    for (const e of this.#bucket(request.method)) {
      let response: Response | undefined;
      if (e.path === undefined || e.resolver === undefined) {
        // msw decides itself (also whether it matches) for what the index does not model.
        if (e.path !== undefined && !this.#match(e, url, segments)) continue;
        response = (await e.handler.run({ request, requestId }))?.response;
      } else {
        const params = this.#match(e, url, segments);
        if (!params) continue;
        response = await callDirect(e.handler, e.resolver, { request, requestId, params });
      }
      if (response) return response;
    }
    return undefined;
  }

  #bucket(method: string): readonly Entry[] {
    return this.#byMethod.get(method.toUpperCase()) ?? this.#everyMethod;
  }

  /** msw's params when `e` matches `url`, else undefined; the positional check first skips what cannot match. */
  #match(e: Entry, url: URL, segments: readonly string[] | undefined): ResolverInfo['params'] | undefined {
    if (e.path === undefined) return undefined;
    if (e.simple && segments && !fits(e.simple, segments)) return undefined;
    const m = matchRequestUrl(url, e.path);
    return m.matches ? m.params : undefined;
  }
}

/** A plain path's segments (the positional check is exact for these); undefined for any other path. */
function plainSegments(url: URL): string[] | undefined {
  const path = url.pathname;
  return PLAIN_PATH.test(path) ? path.slice(1).split('/') : undefined;
}

/** Index of handler lists, one per list (a stable endpoint swaps lists per scenario). */
const INDEXES = new WeakMap<readonly RequestHandler[], RouteIndex>();

export function routeIndexOf(handlers: readonly RequestHandler[]): RouteIndex {
  let index = INDEXES.get(handlers);
  if (!index) {
    index = new RouteIndex(handlers);
    INDEXES.set(handlers, index);
  }
  return index;
}

/**
 * The handler's resolver, as msw's RequestHandler keeps it (a protected field:
 * msw gives no public way to call a matched handler without running the whole
 * `run` machinery). Undefined — so msw's `run` is used — for `once` handlers or
 * when the field is not a function (another msw version).
 */
function directResolver(handler: RequestHandler): DirectResolver | undefined {
  const internals = handler as unknown as { resolver?: unknown; options?: { once?: boolean } };
  if (internals.options?.once) return undefined;
  return typeof internals.resolver === 'function' ? (internals.resolver.bind(handler) as DirectResolver) : undefined;
}

async function callDirect(
  handler: RequestHandler,
  resolver: DirectResolver,
  args: { request: Request; requestId: string; params: ResolverInfo['params'] },
): Promise<Response | undefined> {
  const cleanups: (() => unknown)[] = [];
  let result: unknown;
  try {
    result = await resolver({
      ...args,
      get cookies() {
        return parseCookieHeader(args.request.headers.get('cookie'));
      },
      finalize: (callback) => {
        cleanups.unshift(callback);
      },
    });
  } catch (e) {
    // msw: a resolver may throw a Response as its answer.
    if (e instanceof Response) result = e;
    else throw e;
  } finally {
    for (const c of cleanups) await c();
  }
  if (result === undefined || result === null) return undefined;
  if (result instanceof Response) {
    handler.isUsed = true;
    return result;
  }
  throw new CodedError(
    'OKTA_ROUTE_RESOLVER_UNSUPPORTED',
    `the handler "${handler.info.header}" returned ${typeof result} (a generator?): the route index answers with resolvers that return a Response; give the handler { once: true } or answer with msw's getResponse`,
  );
}

/** `Cookie: a=1; b=2` → { a: '1', b: '2' } (msw gives resolvers the request's cookies; the Okta API uses none). */
function parseCookieHeader(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const value = part.slice(eq + 1).trim();
    try {
      out[part.slice(0, eq).trim()] = decodeURIComponent(value);
    } catch {
      out[part.slice(0, eq).trim()] = value;
    }
  }
  return out;
}

/** `*` or an absolute origin, then `/literal` or `/:param` segments only; anything else is left to msw's matcher alone. */
function simpleTemplate(path: string): SimpleTemplate | undefined {
  let rest: string;
  let anyOrigin: boolean;
  if (path.startsWith('*/')) {
    anyOrigin = true;
    rest = path.slice(1);
  } else {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/*?#]+(\/.*)$/i.exec(path);
    if (!m) return undefined;
    anyOrigin = false;
    rest = m[1]!;
  }
  const segments: (string | undefined)[] = [];
  for (const s of rest.slice(1).split('/')) {
    if (LITERAL_SEGMENT.test(s)) segments.push(s);
    else if (PARAM_SEGMENT.test(s)) segments.push(undefined);
    else return undefined;
  }
  return { anyOrigin, segments };
}

/**
 * Whether a plain path can match the template: a literal must equal its
 * segment, a param takes any one segment. msw's `*` also matches any prefix
 * of the path, so those templates are aligned on the right.
 */
function fits(t: SimpleTemplate, segments: readonly string[]): boolean {
  const n = segments.length;
  const k = t.segments.length;
  if (t.anyOrigin ? n < k : n !== k) return false;
  const offset = n - k;
  for (let i = 0; i < k; i++) {
    const literal = t.segments[i];
    if (literal !== undefined && literal !== segments[offset + i]) return false;
  }
  return true;
}
