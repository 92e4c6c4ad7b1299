/**
 * msw handlers for the Okta API subset a RADIUS agent uses (and the admin calls
 * that build an org), each named by its operationId in Okta's published
 * management document, or by an extension name (extensions.ts). The same
 * handlers serve in-process (setupServer), over real HTTP and via oktaFetch.
 *
 * Every answer goes through one pipeline: latency → forced fault → rate limit
 * → SSWS check → handler, and carries X-Rate-Limit-* headers, as Okta's do.
 */
import { randomBytes } from 'node:crypto';
import { type HttpHandler, HttpResponse, http } from 'msw';
import { sleep } from '../../agent/src/clock.ts';
import type { ExtensionName } from './extensions.ts';
import { isOktaApiError, OKTA_ERRORS, OktaApiError, type OktaErrorName } from './okta-errors.ts';
import { DUO_SMS_KEYWORD, type OktaOrg } from './org.ts';
import type { RateLimitState } from './faults.ts';
import {
  appUserView,
  challengeView,
  enrolledFactorView,
  errorBody,
  factorView,
  groupView,
  type Json,
  type JsonObject,
  pushTransactionView,
  pushWaitingView,
  userView,
} from './views.ts';
import type { FactorProvider, FactorType } from './types.ts';
import { userSearch } from './user-search.ts';

/** One answer the handlers gave; the contract test validates these. */
export interface OktaResponseRecord {
  /** Okta's operationId, when the document has the operation. */
  operationId: string | undefined;
  /** Extension name, when the answer is outside the document (see extensions.ts). */
  extension: ExtensionName | undefined;
  method: string;
  /** Path template, e.g. /api/v1/users/{userId}/factors. */
  path: string;
  status: number;
  /** Parsed JSON body; undefined for a network error. */
  body: Json | undefined;
}

export interface OktaHandlerOptions {
  /** Only answer requests to this origin (e.g. the org URL); default: any origin. */
  origin?: string;
  /** Called for every answer (including faults and errors). */
  observe?: (record: OktaResponseRecord) => void;
}

/**
 * What the pipeline reads from a request: the parts of a WHATWG Request it
 * uses. msw's handlers give it their Request (`requestView`); the served path
 * (serve.ts) gives it node:http's request as it is, without building a
 * Request and a Response per call (~a third of the served mock's CPU).
 */
export interface RouteRequest {
  /** The URL the caller used: `_links` point back to its origin; the query. */
  readonly url: URL;
  /** A request header (name in lower case), or null when absent. */
  header(name: string): string | null;
  /** The body as text (UTF-8, a leading BOM dropped, as Request.text() does). */
  text(): Promise<string>;
  /** Aborts when the caller goes away; read only while a latency fault sleeps. */
  readonly signal: AbortSignal;
}

/** The pipeline's answer, before it becomes a Response (msw) or an HTTP reply (serve.ts). */
export type RouteReply =
  | { kind: 'network-error' }
  /** `body` null with status 204 (no content); else sent as JSON. */
  | { kind: 'json'; status: number; headers: Record<string, string>; body: Json };

/** A route's pipeline called directly: what the msw handler answers, without a Request or Response. */
export type DirectRoute = (request: RouteRequest, params: Record<string, string | readonly string[] | undefined>) => Promise<RouteReply>;

/** handler → its pipeline (for the served path; the handler list stays the one source of routes). */
const DIRECT_ROUTES = new WeakMap<HttpHandler, DirectRoute>();

/** The pipeline behind one of oktaHandlers' handlers; undefined for any other handler. */
export function directRouteOf(handler: unknown): DirectRoute | undefined {
  return handler instanceof Object ? DIRECT_ROUTES.get(handler as HttpHandler) : undefined;
}

/** The Response msw's handler gives for a reply (the same bytes and headers as before the split). */
export function replyToResponse(reply: RouteReply): Response {
  if (reply.kind === 'network-error') return HttpResponse.error();
  // 204 No Content (deleteUser, unassignUserFromApplication): a JSON body is not allowed.
  return reply.status === 204 ? new HttpResponse(null, { status: reply.status, headers: reply.headers }) : HttpResponse.json(reply.body, { status: reply.status, headers: reply.headers });
}

/** A WHATWG Request seen as a RouteRequest. */
export function requestView(request: Request): RouteRequest {
  let url: URL | undefined;
  return {
    get url() {
      url ??= new URL(request.url);
      return url;
    },
    header: (name) => request.headers.get(name),
    text: () => request.text(),
    get signal() {
      return request.signal;
    },
  };
}

interface Ctx {
  request: RouteRequest;
  params: Record<string, string>;
  /** Origin the caller used: `_links` point back to it, as Okta's point to the org. */
  base: string;
  query: URLSearchParams;
  json: () => Promise<JsonObject>;
}

interface Answer {
  status: number;
  body: Json;
  /** The answer fell outside the document: name the extension. */
  extension?: ExtensionName;
}

interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path template as the document writes it. */
  path: string;
  operationId?: string;
  extension?: ExtensionName;
  /** Needs "Authorization: SSWS <token>" (everything except the Authn API). */
  auth: boolean;
}

export function oktaHandlers(org: OktaOrg, options: OktaHandlerOptions = {}): HttpHandler[] {
  const origin = options.origin?.replace(/\/+$/, '') ?? '*';
  const route = (spec: RouteSpec, fn: (ctx: Ctx) => Answer | Promise<Answer>): HttpHandler => {
    const mswPath = `${origin}${spec.path.replace(/\{(\w+)\}/g, ':$1')}`;
    const method = spec.method === 'GET' ? http.get : spec.method === 'POST' ? http.post : spec.method === 'PUT' ? http.put : http.delete;
    const record = (status: number, body: Json | undefined, extension = spec.extension): void => {
      options.observe?.({ operationId: extension ? undefined : spec.operationId, extension, method: spec.method, path: spec.path, status, body });
    };
    const serve: DirectRoute = async (request, params) => {
      if (org.faults.plan.latencyMs > 0) await sleep(org.clock, org.faults.plan.latencyMs, request.signal);
      const fault = org.faults.takeFault();
      if (fault?.kind === 'network') {
        org.events.append({ eventType: 'api.request.fault', outcome: { result: 'FAILURE', reason: 'NETWORK_ERROR' }, debugContext: { path: spec.path } });
        record(0, undefined);
        return NETWORK_ERROR;
      }
      const limit = org.rateLimiter.take(org.now());
      const headers = rateLimitHeaders(limit);
      const send = (status: number, body: Json, extension?: ExtensionName): RouteReply => {
        record(status, body, extension);
        return { kind: 'json', status, headers, body: status === 204 ? null : body };
      };
      const sendError = (name: OktaErrorName, causes: { errorSummary: string }[] = [], summary?: string): RouteReply => {
        const def = OKTA_ERRORS[name];
        return send(def.status, errorBody(def.errorCode, summary ?? def.errorSummary, newErrorId(), causes));
      };
      if (limit.exceeded) {
        org.events.append({ eventType: 'system.org.rate_limit.violation', outcome: { result: 'DENY' }, debugContext: { path: spec.path } });
        return sendError('E0000047');
      }
      if (fault?.kind === 'status') {
        org.events.append({ eventType: 'api.request.fault', outcome: { result: 'FAILURE', reason: `HTTP_${fault.status}` }, debugContext: { path: spec.path } });
        const name: OktaErrorName = fault.status === 503 ? 'E0000010' : 'E0000009';
        const def = OKTA_ERRORS[name];
        return send(fault.status, errorBody(def.errorCode, def.errorSummary, newErrorId()));
      }
      if (spec.auth && !org.isAuthorized(request.header('authorization'))) return sendError('E0000011');
      const url = request.url;
      const ctx: Ctx = {
        request,
        params: decodeParams(params),
        base: url.origin,
        query: url.searchParams,
        json: () => readJson(request),
      };
      try {
        const answer = await fn(ctx);
        return send(answer.status, answer.body, answer.extension);
      } catch (e) {
        if (isOktaApiError(e)) return send(e.status, errorBody(e.errorCode, e.errorSummary, newErrorId(), e.errorCauses));
        if (e instanceof BadJson) return sendError('E0000003');
        throw e;
      }
    };
    const handler = method(mswPath, async ({ request, params }) => replyToResponse(await serve(requestView(request), params)));
    DIRECT_ROUTES.set(handler, serve);
    return handler;
  };

  const user = (ctx: Ctx, key = 'userId') => org.requireUser(ctx.params[key] ?? '');
  const ok = (body: Json, status = 200): Answer => ({ status, body });

  return [
    // ── the agent's calls ────────────────────────────────────────────────
    route({ method: 'GET', path: '/api/v1/users/{id}', operationId: 'getUser', auth: true }, (ctx) =>
      ok(userView(ctx.base, org.requireUser(ctx.params.id ?? ''))),
    ),
    route({ method: 'GET', path: '/api/v1/users/{userId}/factors', operationId: 'listFactors', auth: true }, (ctx) => {
      const u = user(ctx);
      return ok(org.listFactors(u.id).map((f) => factorView(ctx.base, f, u.profile.login)));
    }),
    // The user's groups, for the agent's "Include groups in RADIUS response" (Okta_Radius_App-gen-group-auth.htm).
    route({ method: 'GET', path: '/api/v1/users/{userId}/groups', operationId: 'listUserGroups', auth: true }, (ctx) => {
      const u = user(ctx);
      return ok(org.groupsOf(u.id).map((g) => groupView(ctx.base, g)));
    }),
    route({ method: 'POST', path: '/api/v1/users/{userId}/factors/{factorId}/verify', operationId: 'verifyFactor', auth: true }, async (ctx) => {
      const u = user(ctx);
      const f = org.requireFactor(u.id, ctx.params.factorId ?? '');
      const body = await ctx.json();
      const passCode = typeof body.passCode === 'string' || typeof body.passCode === 'number' ? String(body.passCode) : undefined;
      // Duo (web/DUO) is outside the document: no passCode is a Duo push, "sms" asks Duo for an SMS passcode (org.ts).
      const extension: ExtensionName | undefined =
        f.factorType === 'web' && f.provider === 'DUO'
          ? passCode === undefined || passCode === ''
            ? 'duo-push-verify'
            : passCode.trim().toLowerCase() === DUO_SMS_KEYWORD
              ? 'duo-sms-verify'
              : 'duo-passcode-verify'
          : undefined;
      const outcome = org.verifyFactor(u.id, f.id, passCode === undefined ? {} : { passCode });
      const answer = (status: number, b: Json): Answer => (extension ? { status, body: b, extension } : { status, body: b });
      switch (outcome.result) {
        case 'SUCCESS':
          return answer(200, { factorResult: 'SUCCESS' });
        case 'CHALLENGE':
          return answer(200, challengeView(ctx.base, f, outcome.expiresAt));
        case 'WAITING':
          return answer(201, pushWaitingView(ctx.base, outcome.transaction));
        case 'REPLAYED':
          throw oktaError('E0000082');
        case 'EXPIRED':
          throw oktaError('E0000068', ['The passcode has expired. Request a new one.']);
        case 'INVALID':
          throw oktaError('E0000068', ["Your passcode doesn't match our records. Please try again."]);
      }
    }),
    route(
      { method: 'GET', path: '/api/v1/users/{userId}/factors/{factorId}/transactions/{transactionId}', operationId: 'getFactorTransactionStatus', auth: true },
      (ctx) => {
        const u = user(ctx);
        const tx = org.getPushTransaction(u.id, ctx.params.factorId ?? '', ctx.params.transactionId ?? '');
        return ok(pushTransactionView(ctx.base, tx, u.profile.login));
      },
    ),
    route({ method: 'GET', path: '/api/v1/apps/{appId}/users/{userId}', operationId: 'getApplicationUser', auth: true }, (ctx) => {
      const app = org.requireApp(ctx.params.appId ?? '');
      const u = org.getUser(ctx.params.userId ?? '');
      const assignedAt = u ? app.users.get(u.id) : undefined;
      if (!u || assignedAt === undefined) throw oktaError('E0000007', [], `Not found: Resource not found: ${ctx.params.userId} (AppUser)`);
      return ok(appUserView(ctx.base, app.id, u, assignedAt));
    }),

    // ── Authn API (password-first) ───────────────────────────────────────
    route({ method: 'POST', path: '/api/v1/authn', extension: 'authn-primary', auth: false }, async (ctx) => {
      const body = await ctx.json();
      // "Report Client IP": the agent passes the RADIUS client's IP as X-Forwarded-For (Okta_Radius_App-gen-client-ip.htm).
      const clientIp = ctx.request.header('x-forwarded-for')?.split(',')[0]?.trim() || undefined;
      const a = org.authn.primary(ctx.base, body.username, body.password, clientIp);
      return { status: a.status, body: a.body, extension: 'authn-primary' };
    }),
    route({ method: 'POST', path: '/api/v1/authn/factors/{factorId}/verify', extension: 'authn-factor-verify', auth: false }, async (ctx) => {
      const body = await ctx.json();
      const a = org.authn.verify(ctx.base, ctx.params.factorId ?? '', body.stateToken, body.passCode);
      return { status: a.status, body: a.body, extension: 'authn-factor-verify' };
    }),
    // Inline enrolment inside an MFA_ENROLL transaction (Okta_Radius_App-gen-config-app.htm; Authentication API "Enroll Factor").
    route({ method: 'POST', path: '/api/v1/authn/factors', extension: 'authn-factor-enroll', auth: false }, async (ctx) => {
      const body = await ctx.json();
      const phoneNumber = asObject(body.profile).phoneNumber;
      const a = org.authn.enroll(ctx.base, body.stateToken, body.factorType, body.provider, typeof phoneNumber === 'string' ? { phoneNumber } : {});
      return { status: a.status, body: a.body, extension: 'authn-factor-enroll' };
    }),
    route({ method: 'POST', path: '/api/v1/authn/factors/{factorId}/lifecycle/activate', extension: 'authn-factor-activate', auth: false }, async (ctx) => {
      const body = await ctx.json();
      const a = org.authn.activate(ctx.params.factorId ?? '', body.stateToken, body.passCode);
      return { status: a.status, body: a.body, extension: 'authn-factor-activate' };
    }),

    // ── admin calls that build an org ────────────────────────────────────
    route({ method: 'POST', path: '/api/v1/users', operationId: 'createUser', auth: true }, async (ctx) => {
      const body = await ctx.json();
      const profile = asObject(body.profile);
      const password = asObject(asObject(body.credentials).password).value;
      const login = typeof profile.login === 'string' ? profile.login : '';
      const u = org.createUser({
        profile: {
          login,
          ...(typeof profile.email === 'string' ? { email: profile.email } : {}),
          ...(typeof profile.firstName === 'string' ? { firstName: profile.firstName } : {}),
          ...(typeof profile.lastName === 'string' ? { lastName: profile.lastName } : {}),
          ...(typeof profile.mobilePhone === 'string' ? { mobilePhone: profile.mobilePhone } : {}),
        },
        ...(typeof password === 'string' ? { password } : {}),
        activate: ctx.query.get('activate') !== 'false',
      });
      return ok(userView(ctx.base, u));
    }),
    route({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/activate', operationId: 'activateUser', auth: true }, (ctx) => {
      const u = org.activateUser(ctx.params.id ?? '');
      // sendEmail=false returns an activation token; with email, Okta answers an empty object.
      return ok(
        ctx.query.get('sendEmail') === 'false'
          ? { activationUrl: `${ctx.base}/welcome/${u.id}`, activationToken: randomBytes(15).toString('base64url') }
          : {},
      );
    }),
    route({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/suspend', operationId: 'suspendUser', auth: true }, (ctx) => {
      org.suspendUser(ctx.params.id ?? '');
      return ok({});
    }),
    route({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/unsuspend', operationId: 'unsuspendUser', auth: true }, (ctx) => {
      org.unsuspendUser(ctx.params.id ?? '');
      return ok({});
    }),
    route({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/unlock', operationId: 'unlockUser', auth: true }, (ctx) => {
      org.unlockUser(ctx.params.id ?? '');
      return ok({});
    }),
    route({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/deactivate', operationId: 'deactivateUser', auth: true }, (ctx) => {
      org.deactivateUser(ctx.params.id ?? '');
      return ok({});
    }),
    route({ method: 'POST', path: '/api/v1/users/{userId}/factors', operationId: 'enrollFactor', auth: true }, async (ctx) => {
      const u = user(ctx);
      const body = await ctx.json();
      const profile = asObject(body.profile);
      const r = org.enrollFactor(u.id, {
        factorType: String(body.factorType ?? '') as FactorType,
        ...(typeof body.provider === 'string' ? { provider: body.provider as FactorProvider } : {}),
        ...(typeof profile.phoneNumber === 'string' ? { phoneNumber: profile.phoneNumber } : {}),
        ...(typeof profile.email === 'string' ? { email: profile.email } : {}),
        // Okta names the device in profile.name; the mock uses it as the enrolment's deviceId.
        ...(typeof profile.name === 'string' ? { deviceId: profile.name } : {}),
        ...(ctx.query.get('activate') === 'true' ? { activate: true } : {}),
      });
      return ok(enrolledFactorView(ctx.base, r, u.profile.login));
    }),
    route({ method: 'POST', path: '/api/v1/users/{userId}/factors/{factorId}/lifecycle/activate', operationId: 'activateFactor', auth: true }, async (ctx) => {
      const u = user(ctx);
      const body = await ctx.json();
      const passCode = typeof body.passCode === 'string' || typeof body.passCode === 'number' ? String(body.passCode) : undefined;
      const f = org.activateFactor(u.id, ctx.params.factorId ?? '', passCode);
      return ok(factorView(ctx.base, f, u.profile.login));
    }),
    route({ method: 'POST', path: '/api/v1/apps/{appId}/users', operationId: 'assignUserToApplication', auth: true }, async (ctx) => {
      const body = await ctx.json();
      const app = org.assignUserToApp(ctx.params.appId ?? '', typeof body.id === 'string' ? body.id : '');
      const u = org.requireUser(String(body.id));
      return ok(appUserView(ctx.base, app.id, u, app.users.get(u.id) ?? org.now()));
    }),
    route({ method: 'PUT', path: '/api/v1/apps/{appId}/users/{userId}', extension: 'assign-app-user-put', auth: true }, (ctx) => {
      const app = org.assignUserToApp(ctx.params.appId ?? '', ctx.params.userId ?? '');
      const u = org.requireUser(ctx.params.userId ?? '');
      return { status: 200, body: appUserView(ctx.base, app.id, u, app.users.get(u.id) ?? org.now()), extension: 'assign-app-user-put' };
    }),

    // ── admin calls that take an org apart (OktaAdmin cleanup; simulators/okta/admin-api.ts) ──
    route({ method: 'GET', path: '/api/v1/users', operationId: 'listUsers', auth: true }, (ctx) => {
      // search / filter include DEPROVISIONED users; a bare list (and q) omit them, as Okta documents.
      const expression = ctx.query.get('search') ?? ctx.query.get('filter');
      const q = ctx.query.get('q')?.toLowerCase();
      const match = expression ? userSearch(expression) : undefined;
      const limit = Math.max(1, Math.min(Number(ctx.query.get('limit') ?? 200) || 200, 200));
      const users = org
        .listUsers()
        .filter((u) => (match ? match(u) : u.status !== 'DEPROVISIONED'))
        .filter((u) => !q || [u.profile.firstName, u.profile.lastName, u.profile.email].some((v) => v.toLowerCase().startsWith(q)))
        .slice(0, limit);
      return ok(users.map((u) => userView(ctx.base, u)));
    }),
    // Update a user (partial): the harness sets a password as an admin (OktaAdmin.setPassword); profile fields are not changed here.
    route({ method: 'POST', path: '/api/v1/users/{id}', operationId: 'updateUser', auth: true }, async (ctx) => {
      const body = await ctx.json();
      const password = asObject(asObject(body.credentials).password).value;
      const u = org.requireUser(ctx.params.id ?? '');
      if (typeof password === 'string') org.setPassword(u.id, password);
      return ok(userView(ctx.base, u));
    }),
    route({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/expire_password', operationId: 'expirePassword', auth: true }, (ctx) =>
      ok(userView(ctx.base, org.expirePassword(ctx.params.id ?? ''))),
    ),
    route({ method: 'DELETE', path: '/api/v1/users/{id}', operationId: 'deleteUser', auth: true }, (ctx) => {
      org.deleteUser(ctx.params.id ?? '');
      return { status: 204, body: null };
    }),
    route({ method: 'DELETE', path: '/api/v1/apps/{appId}/users/{userId}', operationId: 'unassignUserFromApplication', auth: true }, (ctx) => {
      const app = org.requireApp(ctx.params.appId ?? '');
      const u = org.getUser(ctx.params.userId ?? '');
      if (!u || !app.users.has(u.id)) throw oktaError('E0000007', [], `Not found: Resource not found: ${ctx.params.userId} (AppUser)`);
      org.unassignUserFromApp(app.id, u.id);
      return { status: 204, body: null };
    }),
  ];
}

function oktaError(name: OktaErrorName, causes: string[] = [], summary?: string): OktaApiError {
  return new OktaApiError(name, causes, summary);
}

export function rateLimitHeaders(limit: RateLimitState): Record<string, string> {
  return {
    'X-Rate-Limit-Limit': String(limit.limit),
    'X-Rate-Limit-Remaining': String(limit.remaining),
    'X-Rate-Limit-Reset': String(limit.resetEpochS),
  };
}

function newErrorId(): string {
  return `oae${randomBytes(15).toString('base64url').slice(0, 19)}`;
}

class BadJson extends Error {}

const NETWORK_ERROR: RouteReply = Object.freeze({ kind: 'network-error' });

async function readJson(request: RouteRequest): Promise<JsonObject> {
  const text = await request.text();
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadJson('request body is not JSON');
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JsonObject) : {};
}

function asObject(v: Json | undefined): JsonObject {
  return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
}

function decodeParams(params: Record<string, string | readonly string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(params)) {
    const v = params[k];
    const s = Array.isArray(v) ? v.join('/') : typeof v === 'string' ? v : '';
    // decodeURIComponent of a string without '%' is the string itself.
    if (!s.includes('%')) {
      out[k] = s;
      continue;
    }
    try {
      out[k] = decodeURIComponent(s);
    } catch {
      out[k] = s;
    }
  }
  return out;
}
