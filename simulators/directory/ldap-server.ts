/**
 * The directory on real TCP, speaking LDAP as AD does, on ldapjs 3.0.7.
 *
 * ldapjs is archived upstream (May 2024); its server API works on Node 24 but
 * needs care (see ../shared/notes/ldapjs.md). Everything ldapjs-specific lives
 * in this file, behind `startDirectory` and the `DirectoryServer` interface, so
 * it can be replaced without touching callers. The ldapjs objects are typed
 * here by the few members we use (@types/ldapjs describes the 2.x API).
 *
 * What AD does and we do too:
 * - simple binds by full DN, `CORP\alice` and `alice@corp.example.com`,
 *   case-insensitive; failures are resultCode 49 with AD's diagnostic
 *   (`… AcceptSecurityContext error, data 52e, v893`).
 * - a bind with a name and an empty password is an unauthenticated bind:
 *   success (resultCode 0) but the connection stays anonymous — WhoAmI answers
 *   anonymous and searches are refused. Never a login.
 * - WhoAmI (RFC 4532) answers `u:CORP\alice`.
 * - searches need a bound connection; an anonymous search gets resultCode 1
 *   (operationsError) with AD's `000004DC … a successful bind must be
 *   completed` (AD's answer, chosen over insufficientAccessRights). The RootDSE
 *   (base "" scope base) may be read anonymously, as in AD.
 */
import type net from 'node:net';
import ldap from 'ldapjs';
import type { Clock } from '../../agent/src/clock.ts';
import { CodedError } from '../../agent/src/errors.ts';
import type { AccountPolicy, EntryInput } from './account.ts';
import { AD_NO_OBJECT, AD_UNBOUND_OPERATION } from './ad-codes.ts';
import { Directory, type SearchScope } from './directory.ts';
import type { FilterNode } from './filter.ts';
import { entriesFromLdif } from './ldif.ts';

export interface StartDirectoryOptions {
  /**
   * Serve this directory (its entries, state and clock) instead of building one;
   * lets a caller change accounts before the server starts.
   */
  directory?: Directory;
  /** Seed entries given from code (the lab builds them from YAML). */
  entries?: EntryInput[];
  /** Seed entries as LDIF text (added after `entries`). */
  ldif?: string;
  /** NetBIOS domain, default `CORP`. */
  domain?: string;
  /** Default `DC=corp,DC=example,DC=com`. */
  baseDn?: string;
  /** Default 127.0.0.1 (tests use loopback only). */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  clock: Clock;
  policy?: Partial<AccountPolicy>;
}

/** How the directory is unavailable: refusing connections, or accepting them and never answering. */
export type DownMode = 'refuse' | 'hang';

export interface DirectoryServer {
  /** `ldap://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** State and runtime controls (disable, lock, expire, …). */
  readonly directory: Directory;
  /** Whether it is answering at the moment. */
  readonly isUp: boolean;
  /** Goes down for the "directory down" scenarios: stop listening and drop connections, or hang. */
  goDown(mode?: DownMode): Promise<void>;
  /** Comes back on the same host and port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

const WHOAMI_OID = '1.3.6.1.4.1.4203.1.11.3';
const BIND_REQUEST = 0x60;
/** Stands in for bind names ldapjs can't parse as DNs (`CORP\alice`, UPNs); the real name travels beside it. */
const PLACEHOLDER_DN = 'cn=bind-name-not-a-dn';

const RESULT = {
  success: 0,
  operationsError: 1,
  noSuchObject: 32,
  invalidCredentials: 49,
} as const;

// --- the slice of ldapjs we rely on -------------------------------------------

interface LdapFilterLike {
  type: string;
  attribute?: string;
  value?: unknown;
  clauses?: LdapFilterLike[];
  filter?: LdapFilterLike;
  subInitial?: string;
  subAny?: string[];
  subFinal?: string;
  matchType?: string;
  matchingRule?: string;
}

interface LdapRequest {
  protocolOp: number;
  messageId: number;
  connection: net.Socket;
  // Bind
  name?: unknown;
  version?: number;
  credentials?: string;
  controls?: unknown[];
  // Search
  baseObject?: { toString(): string };
  scope?: number;
  filter?: LdapFilterLike;
  sizeLimit?: number;
}

interface LdapResponse {
  diagnosticMessage: string;
  matchedDN: string;
  responseValue?: string;
  attributes: string[];
  end(status?: number): void;
  send(entry: { dn: string; attributes: Record<string, string[]> }): void;
}

type Handler = (req: LdapRequest, res: LdapResponse, next: () => void) => void;

interface LdapjsServer {
  newConnection(conn: net.Socket): void;
  bind(name: string, handler: Handler): void;
  search(name: string, handler: Handler): void;
  exop(oid: string, handler: Handler): void;
  listen(port: number, host: string, cb: () => void): void;
  close(cb?: (err?: Error) => void): void;
  address(): net.AddressInfo;
  on(event: 'error' | 'clientError', listener: (err: Error) => void): void;
}

/** A connection as ldapjs leaves it after newConnection: its parser emits one 'message' per request. */
interface ParsedConnection extends net.Socket {
  parser?: NodeJS.EventEmitter;
}

function isLdapjsDn(text: string): boolean {
  try {
    ldap.parseDN(text);
    return true;
  } catch {
    return false;
  }
}

function scopeOf(n: number | undefined): SearchScope {
  return n === 0 ? 'base' : n === 1 ? 'one' : 'sub';
}

function text(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v ?? '');
}

/** ldapjs's parsed filter → our FilterNode (an unknown kind matches nothing). */
export function toFilterNode(f: LdapFilterLike): FilterNode {
  const attribute = f.attribute ?? '';
  switch (f.type) {
    case 'AndFilter':
      return { type: 'and', filters: (f.clauses ?? []).map(toFilterNode) };
    case 'OrFilter':
      return { type: 'or', filters: (f.clauses ?? []).map(toFilterNode) };
    case 'NotFilter':
      return { type: 'not', filter: toFilterNode(f.filter ?? f.clauses?.[0] ?? { type: '?' }) };
    case 'PresenceFilter':
      return { type: 'present', attribute };
    case 'EqualityFilter':
    case 'ApproximateFilter':
      return { type: 'equal', attribute, value: text(f.value) };
    case 'SubstringFilter':
      return { type: 'substring', attribute, initial: f.subInitial || undefined, any: f.subAny ?? [], final: f.subFinal || undefined };
    case 'GreaterThanEqualsFilter':
      return { type: 'ge', attribute, value: text(f.value) };
    case 'LessThanEqualsFilter':
      return { type: 'le', attribute, value: text(f.value) };
    case 'ExtensibleFilter':
      return { type: 'extensible', attribute: f.matchType ?? attribute, rule: f.matchingRule ?? '', value: text(f.value) };
    default:
      return { type: 'or', filters: [] };
  }
}

/** Starts the directory on TCP. Resolves once it is listening. */
export async function startDirectory(options: StartDirectoryOptions): Promise<DirectoryServer> {
  const domain = options.domain ?? 'CORP';
  const baseDn = options.baseDn ?? 'DC=corp,DC=example,DC=com';
  const host = options.host ?? '127.0.0.1';
  const entries = [...(options.entries ?? []), ...(options.ldif ? entriesFromLdif(options.ldif) : [])];
  const directory =
    options.directory ?? new Directory({ domain, baseDn, clock: options.clock, entries, policy: options.policy });

  /** Who each connection is bound as (`CORP\alice`); absent = anonymous. Ours, not ldapjs's bindDN. */
  const sessions = new WeakMap<net.Socket, string>();
  /** Original bind names for requests whose name we replaced with PLACEHOLDER_DN. */
  const originalNames = new WeakMap<object, string>();
  const sockets = new Set<net.Socket>();
  let mode: 'up' | DownMode = 'up';
  let listening = false;

  let server: LdapjsServer;
  const connectionRouter = (conn: ParsedConnection): void => {
    if (mode === 'refuse') {
      conn.destroy();
      return;
    }
    sockets.add(conn);
    conn.on('close', () => sockets.delete(conn));
    server.newConnection(conn);
    const parser = conn.parser;
    if (!parser) return;
    // Trap: ldapjs parses every bind name as a DN before any handler runs and
    // answers invalidDNSyntax for `CORP\alice` or a UPN. So we sit between the
    // parser and ldapjs: such requests are re-made with a placeholder DN and the
    // real name kept aside for our bind handler.
    const downstream = parser.listeners('message') as Array<(req: LdapRequest) => void>;
    parser.removeAllListeners('message');
    parser.on('message', (req: LdapRequest) => {
      if (mode !== 'up') return; // 'hang': read requests, never answer
      let msg = req;
      if (req.protocolOp === BIND_REQUEST) {
        // A bind starts afresh (RFC 4511 §4.2.1): forget who was bound, even
        // for the anonymous binds ldapjs answers without calling our handler.
        sessions.delete(conn);
        const name = typeof req.name === 'string' ? req.name : String(req.name ?? '');
        if (!isLdapjsDn(name)) {
          const BindRequest = req.constructor as new (o: Record<string, unknown>) => LdapRequest;
          msg = new BindRequest({
            messageId: req.messageId,
            version: req.version,
            name: PLACEHOLDER_DN,
            credentials: req.credentials,
            controls: req.controls,
          });
          // ldapjs's parser hangs its logger on each message; the server uses it.
          (msg as { log?: unknown }).log = (req as { log?: unknown }).log;
          originalNames.set(msg, name);
        }
      }
      for (const l of downstream) l.call(parser, msg);
    });
  };

  // ldapjs accepts connectionRouter at run time; its typings don't list it.
  server = ldap.createServer({ connectionRouter } as unknown as ldap.ServerOptions) as unknown as LdapjsServer;
  // A client that drops the socket mid-request must not take the lab down.
  server.on('clientError', () => {});
  server.on('error', () => {});

  server.bind('', (req, res) => {
    // Only simple binds get here: ldapjs's parser refuses SASL (protocol error) before us.
    const name = originalNames.get(req) ?? (typeof req.name === 'string' ? req.name : String(req.name ?? ''));
    const result = directory.bind(name, req.credentials ?? '');
    if (result.kind === 'ok') {
      sessions.set(req.connection, result.identity);
      res.end(RESULT.success);
    } else if (result.kind === 'unauthenticated') {
      res.end(RESULT.success); // AD: anonymous, not the named user
    } else {
      // Trap: next(err) would lose the message; set diagnosticMessage and end ourselves.
      res.diagnosticMessage = result.diagnosticMessage;
      res.end(RESULT.invalidCredentials);
    }
  });

  server.exop(WHOAMI_OID, (req, res) => {
    const who = sessions.get(req.connection);
    res.responseValue = who ? `u:${who}` : '';
    res.end(RESULT.success);
  });

  server.search('', (req, res) => {
    // Trap: requested attribute names must be lower-cased or mixed-case ones come back empty.
    res.attributes = res.attributes.map((a) => a.toLowerCase());
    const base = req.baseObject?.toString() ?? '';
    const scope = scopeOf(req.scope);
    if (base === '' && scope === 'base') {
      res.send({ dn: '', attributes: rootDse(directory) });
      res.end(RESULT.success);
      return;
    }
    const as = sessions.get(req.connection);
    if (!as) {
      res.diagnosticMessage = AD_UNBOUND_OPERATION;
      res.end(RESULT.operationsError);
      return;
    }
    const result = directory.search(
      { base, scope, filter: req.filter ? toFilterNode(req.filter) : { type: 'and', filters: [] }, sizeLimit: req.sizeLimit },
      as,
    );
    if (!result.ok) {
      res.diagnosticMessage = AD_NO_OBJECT;
      res.matchedDN = directory.baseDn;
      res.end(RESULT.noSuchObject);
      return;
    }
    for (const e of result.entries) {
      // send() deletes unrequested attributes from what it is given: hand it a copy.
      res.send({ dn: e.dn, attributes: { ...e.attributes } });
    }
    res.end(RESULT.success);
  });

  const port = await listen(server, options.port ?? 0, host);
  listening = true;

  const dropConnections = (): void => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
    });

  return {
    url: `ldap://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    host,
    directory,
    get isUp() {
      return mode === 'up';
    },
    async goDown(how: DownMode = 'refuse') {
      mode = how;
      dropConnections();
      if (how === 'refuse') await stopListening();
    },
    async comeBack() {
      if (!listening) {
        await listen(server, port, host);
        listening = true;
      }
      mode = 'up';
    },
    async close() {
      mode = 'refuse';
      dropConnections();
      await stopListening();
    },
  };
}

function listen(server: LdapjsServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void =>
      reject(
        new CodedError('DIRECTORY_LISTEN_FAILED', `the directory could not listen on ${host}:${port}: ${err.message}; pick another port or 0 for any`, {
          host,
          port,
        }),
      );
    const raw = (server as unknown as { server: net.Server }).server;
    raw.once('error', onError);
    server.listen(port, host, () => {
      raw.off('error', onError);
      resolve(server.address().port);
    });
  });
}

/** The RootDSE AD shows anonymous clients: enough for a client to find the naming context. */
function rootDse(directory: Directory): Record<string, string[]> {
  return {
    objectClass: ['top'],
    defaultNamingContext: [directory.baseDn],
    namingContexts: [directory.baseDn],
    rootDomainNamingContext: [directory.baseDn],
    dnsHostName: [`dc1.${directory.dnsDomain}`],
    supportedLDAPVersion: ['3', '2'],
    supportedExtension: [WHOAMI_OID],
  };
}
