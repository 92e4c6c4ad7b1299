/**
 * A small WorkSpaces-like sign-in page over node:http, backed by an AdConnector.
 * GET / serves the page; POST /sign-in takes {username, password, mfaCode} and
 * answers with what the WorkSpaces client would show (signed in or not, the
 * reason code and the message) — never the trace, the code or the secret.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SignInInput, SignInResult } from '../connector.ts';

const PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
const MAX_BODY = 8 * 1024;

export interface SignInPage {
  readonly url: string;
  close(): Promise<void>;
}

export interface SignInPageOptions {
  connector: { signIn(input: SignInInput): Promise<SignInResult> };
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export async function startSignInPage(options: SignInPageOptions): Promise<SignInPage> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ signedIn: false, message: 'Something went wrong. Try again.' }));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(options: SignInPageOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://page').pathname;
  if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
    send(res, 200, 'text/html; charset=utf-8', PAGE);
    return;
  }
  if (req.method === 'POST' && path === '/sign-in') {
    const input = parseInput(await readBody(req));
    if (!input) {
      send(res, 400, 'application/json', JSON.stringify({ signedIn: false, message: 'Enter your username, password and MFA code.' }));
      return;
    }
    const result = await options.connector.signIn(input);
    send(res, 200, 'application/json', JSON.stringify({ signedIn: result.signedIn, reason: result.reason, message: result.message }));
    return;
  }
  send(res, 404, 'text/plain; charset=utf-8', 'Not found');
}

function parseInput(body: string | undefined): SignInInput | undefined {
  if (body === undefined) return undefined;
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    const { username, password, mfaCode } = v;
    if (typeof username !== 'string' || typeof password !== 'string' || typeof mfaCode !== 'string') return undefined;
    return { username, password, mfaCode };
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}
