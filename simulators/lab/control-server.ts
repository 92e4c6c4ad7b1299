/**
 * The control HTTP API: what a person (or a real agent's test rig) does with
 * the virtual phones, the clock and the fault knobs when the lab runs as
 * servers. Every call needs `Authorization: Bearer <token>` (printed in the
 * lab's endpoints line; 401 LAB_UNAUTHORIZED otherwise): it can approve
 * pushes and read one-time codes. JSON in and out; errors are
 * `{"error":{"code","message"}}` with stable codes. No request or body is
 * logged (bodies hold one-time codes).
 *
 *   GET  /devices                              phones, apps, deviceIds, online, push behaviour
 *   POST /devices/{name}/offline | /online     phone loses / regains network
 *   PUT  /devices/{name}/push-behaviour        {"behaviour":"approve after 5s"}
 *   GET  /users/{login}/pushes[?all=1]         pending pushes (all with all=1)
 *   POST /pushes/{transactionId}/approve|deny  answer as the user
 *   GET  /users/{login}/sms | /calls | /emails inboxes, oldest first
 *   GET  /users/{login}/totp?app=okta-verify|google-authenticator|duo-mobile[&phone=NAME]
 *   GET  /clock                                {"kind","now","epochMs"[,"aheadOfWallMs"]}
 *   POST /clock/advance                        {"seconds":N}
 *   GET  /faults                               the fault knobs' state
 *   PUT  /faults                               {"okta":{…},"directory":{…},"connector":{…}} (lab-faults.ts)
 *   DELETE /faults                             everything back to normal
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodedError, isCodedError } from '../../agent/src/errors.ts';
import type { Phone } from '../devices/phone.ts';
import { urlHost } from '../okta/serve.ts';
import { parsePushBehaviour } from '../devices/push-behaviour.ts';
import { RealTimeClock } from '../clock/real-time-clock.ts';
import type { Lab } from './lab.ts';
import { parseFaultPatch } from './lab-faults.ts';

export interface RunningControlServer {
  url: string;
  close(): Promise<void>;
}

/** Largest single clock advance accepted (a week), so a typo can't spin timers for years. */
const MAX_ADVANCE_S = 7 * 24 * 3600;
const MAX_BODY = 64 * 1024;

const STATUS: Record<string, number> = {
  LAB_UNAUTHORIZED: 401,
  LAB_NOT_SERVED: 409,
  LAB_UNKNOWN_USER: 404,
  LAB_UNKNOWN_DEVICE: 404,
  LAB_NO_ROUTE: 404,
  DEVICE_UNKNOWN_PUSH: 404,
  LAB_METHOD_NOT_ALLOWED: 405,
  DEVICE_PUSH_NOT_PENDING: 409,
  DEVICE_OFFLINE: 409,
  LAB_NO_APP: 409,
  DEVICE_NO_ACCOUNT: 409,
  DEVICE_NOT_ACTIVATED: 409,
  LAB_AMBIGUOUS_DEVICE: 409,
};

type Handler = (params: string[], url: URL, body: unknown) => Promise<unknown> | unknown;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export async function startControlServer(lab: Lab, opts: { host?: string; port?: number; token: string }): Promise<RunningControlServer> {
  if (opts.token.length < 16) throw new CodedError('LAB_WEAK_TOKEN', 'The control API token must be at least 16 characters.');
  const routes = controlRoutes(lab);
  const expected = Buffer.from(`Bearer ${opts.token}`);
  const server = createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      req.resume();
      res.setHeader('www-authenticate', 'Bearer realm="radius-mfa-harness lab"');
      send(res, 401, errorBody('LAB_UNAUTHORIZED', 'The control API needs "Authorization: Bearer <control.token>" (the token is in the lab\'s endpoints line).'));
      return;
    }
    handle(routes, req, res).catch((e: unknown) => send(res, 500, errorBody('LAB_INTERNAL', (e as Error).message)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${urlHost(addr.address)}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(routes: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control.local');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const matching = routes.filter((r) => r.pattern.test(path));
  const route = matching.find((r) => r.method === req.method);
  if (!route) {
    const e = matching.length
      ? new CodedError('LAB_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; use ${matching.map((r) => r.method).join(' or ')}.`)
      : new CodedError('LAB_NO_ROUTE', `No control endpoint ${path}; see simulators/lab/README.md for the list.`);
    send(res, STATUS[e.code]!, errorBody(e.code, e.message));
    return;
  }
  try {
    const body = req.method === 'GET' ? undefined : await readJson(req);
    const params = route.pattern.exec(path)!.slice(1).map((p) => decodeURIComponent(p));
    const result = await route.handler(params, url, body);
    send(res, 200, result);
  } catch (e) {
    if (isCodedError(e)) send(res, STATUS[e.code] ?? 400, errorBody(e.code, e.message));
    else throw e;
  }
}

function controlRoutes(lab: Lab): Route[] {
  const user = (name: string) => lab.user(name);
  const phone = (name: string): Phone => {
    const p = lab.network.phone(name);
    if (!p) throw new CodedError('LAB_UNKNOWN_DEVICE', `No phone "${name}" in this lab; GET /devices lists them.`, { device: name });
    return p;
  };
  const clock = () => ({
    kind: lab.clock.kind,
    now: new Date(lab.clock.now()).toISOString(),
    epochMs: lab.clock.now(),
    // Real time moved forward by POST /clock/advance runs this far ahead of the wall clock.
    ...(lab.clock instanceof RealTimeClock ? { aheadOfWallMs: lab.clock.offsetMs } : {}),
  });
  return [
    { method: 'GET', pattern: /^\/devices$/, handler: () => ({ devices: lab.network.phones().map((p) => p.view()) }) },
    {
      method: 'POST',
      pattern: /^\/devices\/([^/]+)\/(offline|online)$/,
      handler: ([name, state]) => {
        const p = phone(name!);
        if (state === 'offline') p.goOffline();
        else p.goOnline();
        return p.view();
      },
    },
    {
      method: 'PUT',
      pattern: /^\/devices\/([^/]+)\/push-behaviour$/,
      handler: ([name], _url, body) => {
        const p = phone(name!);
        const text = (body as { behaviour?: unknown } | undefined)?.behaviour;
        if (typeof text !== 'string') throw badRequest('give {"behaviour": "approve" | "deny" | "ignore" | "approve after N s" | "deny after N s"}');
        if (!p.oktaVerify) throw new CodedError('LAB_NO_APP', `Phone ${p.name} has no Okta Verify.`);
        p.oktaVerify.setPushBehaviour(parsePushBehaviour(text));
        return p.view();
      },
    },
    {
      method: 'GET',
      pattern: /^\/users\/([^/]+)\/pushes$/,
      handler: ([name], url) => {
        const login = user(name!).login;
        const all = url.searchParams.get('all');
        return { pushes: all === '1' || all === 'true' ? lab.network.pushesFor(login) : lab.network.pendingPushesFor(login) };
      },
    },
    {
      method: 'POST',
      pattern: /^\/pushes\/([^/]+)\/(approve|deny)$/,
      handler: async ([tx, answer]) => ({ push: await lab.network.answerPush(tx!, answer as 'approve' | 'deny') }),
    },
    { method: 'GET', pattern: /^\/users\/([^/]+)\/sms$/, handler: ([n]) => ({ messages: lab.network.smsFor(user(n!).login) }) },
    { method: 'GET', pattern: /^\/users\/([^/]+)\/calls$/, handler: ([n]) => ({ calls: lab.network.callsFor(user(n!).login) }) },
    { method: 'GET', pattern: /^\/users\/([^/]+)\/emails$/, handler: ([n]) => ({ emails: lab.network.emailsFor(user(n!).login) }) },
    {
      method: 'GET',
      pattern: /^\/users\/([^/]+)\/totp$/,
      handler: ([n], url) => {
        const u = user(n!);
        const app = url.searchParams.get('app') ?? 'okta-verify';
        if (app !== 'okta-verify' && app !== 'google-authenticator' && app !== 'duo-mobile') {
          throw badRequest(`app must be okta-verify, google-authenticator or duo-mobile, not "${app}"`);
        }
        const wanted = url.searchParams.get('phone');
        const holders = lab.network
          .phonesOf(u.login)
          .filter((p) => (wanted === null || p.name === wanted) && p.apps().some((a) => a.kind === app));
        if (holders.length === 0) {
          throw new CodedError('LAB_NO_APP', `${u.login} has no ${app}${wanted ? ` on ${wanted}` : ''}.`, { app });
        }
        if (holders.length > 1) {
          throw new CodedError(
            'LAB_AMBIGUOUS_DEVICE',
            `${u.login} has ${app} on several phones (${holders.map((p) => p.name).join(', ')}); add ?phone=NAME.`,
          );
        }
        const p = holders[0]!;
        if (app === 'duo-mobile') return { login: u.login, app, phone: p.name, code: p.duoMobile!.currentPasscode() };
        const totp = app === 'okta-verify' ? p.oktaVerify! : p.googleAuthenticator!;
        return {
          login: u.login,
          app,
          phone: p.name,
          code: totp.currentCode(),
          previousCode: totp.previousCode(),
          nextCode: totp.nextCode(),
          secondsRemaining: totp.secondsRemaining(),
        };
      },
    },
    { method: 'GET', pattern: /^\/clock$/, handler: clock },
    {
      method: 'POST',
      pattern: /^\/clock\/advance$/,
      handler: async (_p, _url, body) => {
        const seconds = (body as { seconds?: unknown } | undefined)?.seconds;
        if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_ADVANCE_S) {
          throw badRequest(`give {"seconds": N} with 0 <= N <= ${MAX_ADVANCE_S}`);
        }
        await lab.clock.advance(seconds * 1000);
        return clock();
      },
    },
    { method: 'GET', pattern: /^\/faults$/, handler: () => lab.faults.state() },
    { method: 'PUT', pattern: /^\/faults$/, handler: (_p, _url, body) => lab.faults.apply(parseFaultPatch(body)) },
    { method: 'DELETE', pattern: /^\/faults$/, handler: () => lab.faults.reset() },
  ];
}

function badRequest(what: string): CodedError {
  return new CodedError('LAB_BAD_REQUEST', `Bad request: ${what}.`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw badRequest(`body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('the body is not JSON');
  }
}

function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
