/**
 * One simulated world built from a seed: a clock (virtual, or following real
 * time when served to real agents), the mock Okta org
 * (API token, the RADIUS app, users, groups), the AD-like directory's
 * accounts, and the users' phones with their apps enrolled through the org's
 * own enrolment flow, joined by the DeviceNetwork. In memory by default;
 * `start()` serves it (Okta over HTTP and HTTPS, LDAP, the control API),
 * `stop()` ends it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodedError } from '../../agent/src/errors.ts';
import type { ClockKind, LabClock } from '../clock/lab-clock.ts';
import { RealTimeClock } from '../clock/real-time-clock.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import type { DuoPasscodeVerifier } from '../devices/duo-mobile.ts';
import { enrolDuo, enrolEmail, enrolGoogleAuthenticator, enrolOktaVerify, enrolPhoneNumber } from '../devices/enrol.ts';
import { DeviceNetwork } from '../devices/network.ts';
import { Phone } from '../devices/phone.ts';
import { parsePushBehaviour } from '../devices/push-behaviour.ts';
import { Directory } from '../directory/directory.ts';
import { startDirectory } from '../directory/ldap-server.ts';
import { OktaOrg } from '../okta/org.ts';
import { startOktaServer, urlHost } from '../okta/serve.ts';
import { createCa, issueServerCert, loadOrCreateCa, type PemPair, serverNames } from '../okta/tls.ts';
import type { AppRecord, UserRecord } from '../okta/types.ts';
import { startControlServer } from './control-server.ts';
import { derivedApiToken, derivedNumber, derivedSecret } from './derive.ts';
import { directoryEntries, dnsDomainOf } from './directory-entries.ts';
import { LabFaults } from './lab-faults.ts';
import { type LabSeed, loadSeedFile, phoneOfFactor, type SeedInput, samOf, seedError, type UsernameFormat, validateSeed } from './seed.ts';

/** Time the lab lets pass after enrolment, so no activation code's TOTP step is still current or adjacent. */
export const ENROLMENT_SETTLE_MS = 60_000;

export interface LabOptions {
  /** Share a clock with the rest of a test (it will be advanced by ENROLMENT_SETTLE_MS while building). */
  clock?: LabClock;
  /**
   * Without `clock`: 'virtual' (default) starts at the seed's clock.start and
   * moves only when advanced; 'real-time' follows the wall clock (the seed's
   * clock.start is ignored) and can still be moved forward.
   */
  clockKind?: ClockKind;
  /** Name used in seed errors (the file path); default "<seed>". */
  source?: string;
}

export interface LabStartOptions {
  /**
   * Address every server (Okta HTTP and HTTPS, LDAP, control API) listens on;
   * default 127.0.0.1, this machine only. 0.0.0.0 or :: exposes the lab to
   * the network (the control API still needs its token).
   */
  host?: string;
  /** Fixed ports (default 0: any free port). */
  ports?: { okta?: number; oktaHttps?: number; ldap?: number; control?: number };
  /**
   * HTTPS for the mock Okta (default on): the CA is kept in `dir` (created
   * there once, reused after) or, without `dir`, made fresh in a temporary
   * folder removed at stop(). `hosts`: extra names for the certificate.
   * false: plain HTTP only.
   */
  tls?: false | { dir?: string; hosts?: string[] };
  /** Bearer token of the control API; default: random per start. */
  controlToken?: string;
}

/** What `radius-mfa-harness lab` prints: everything another process needs to use the world. */
export interface LabEndpoints {
  okta: {
    /** Plain HTTP. */
    baseUrl: string;
    /** HTTPS with a certificate from the lab's CA (absent with tls: false). */
    httpsUrl?: string;
    /** The CA certificate (PEM) to trust for httpsUrl: NODE_EXTRA_CA_CERTS for a Node agent. */
    caFile?: string;
    /** SSWS token; stable for a seed (seed's org.apiToken.value, else derived from the seed). */
    apiToken: string;
    appId: string;
  };
  ldap: { url: string; baseDn: string; domain: string };
  /** The control API (devices, clock, faults); every call needs `Authorization: Bearer <token>`. */
  control: { url: string; token: string };
  /** Which clock runs: real-time follows the wall clock (and can be advanced), virtual moves only when advanced. */
  clock: { kind: ClockKind; now: string };
  /** The address the servers listen on. */
  bind: string;
}

export interface LabFactor {
  /** Index in the seed's users[i].factors. */
  index: number;
  type: 'push' | 'totp' | 'sms' | 'call' | 'email' | 'duo';
  provider?: 'OKTA' | 'GOOGLE';
  factorId: string;
  status: 'active' | 'pending';
  phone?: string;
  deviceId?: string;
  address?: string;
}

/** A seeded person as the lab knows them (no passwords or secrets). */
export interface LabUser {
  login: string;
  sAMAccountName?: string;
  oktaUserId?: string;
  oktaStatus: string;
  adState: string;
  groups: string[];
  assigned: boolean;
  phones: string[];
  email?: string;
  factors: LabFactor[];
}

interface Running {
  endpoints: LabEndpoints;
  closers: Array<() => Promise<void>>;
}

export class Lab {
  readonly seed: LabSeed;
  readonly clock: LabClock;
  readonly org: OktaOrg;
  readonly network: DeviceNetwork;
  /** SSWS token value for the agent's config (never log it). */
  readonly apiToken: string;
  readonly app: AppRecord;
  readonly usernameFormat: UsernameFormat;
  readonly domain: string;
  readonly baseDn: string;
  readonly dnsDomain: string;
  /** Fault knobs of the served lab (Okta, directory, connector loss); the control API's /faults. */
  readonly faults: LabFaults;
  readonly #users: LabUser[];
  readonly #duo: Map<string, DuoPasscodeVerifier>;
  #directory: Directory;
  #running: Running | undefined;
  #starting = false;

  private constructor(parts: {
    seed: LabSeed;
    clock: LabClock;
    org: OktaOrg;
    network: DeviceNetwork;
    apiToken: string;
    app: AppRecord;
    users: LabUser[];
    directory: Directory;
    duo: Map<string, DuoPasscodeVerifier>;
  }) {
    this.seed = parts.seed;
    this.clock = parts.clock;
    this.org = parts.org;
    this.network = parts.network;
    this.apiToken = parts.apiToken;
    this.app = parts.app;
    this.usernameFormat = parts.seed.app.usernameFormat;
    this.domain = parts.seed.directory.domain;
    this.baseDn = parts.seed.directory.baseDn;
    this.dnsDomain = dnsDomainOf(this.baseDn);
    this.#users = parts.users;
    this.#directory = parts.directory;
    this.#duo = parts.duo;
    this.faults = new LabFaults(this.org);
  }

  /** Reads, validates and builds a seed file. */
  static async fromFile(path: string, opts: Omit<LabOptions, 'source'> = {}): Promise<Lab> {
    return Lab.fromSeed(await loadSeedFile(path), { ...opts, source: path });
  }

  /** Builds the world in memory from a seed (validated again, so a hand-written object gets the same errors). */
  static async fromSeed(input: LabSeed | SeedInput, opts: LabOptions = {}): Promise<Lab> {
    const source = opts.source ?? '<seed>';
    const seed = validateSeed(input, source);
    const seedKey = seed.seed ?? seed.org.name;
    // Real time: enrol a settle period in the past, so that after the settle advance the clock reads the wall clock.
    const clock =
      opts.clock ??
      (opts.clockKind === 'real-time'
        ? new RealTimeClock({ offsetMs: -ENROLMENT_SETTLE_MS })
        : new VirtualClock(seed.clock ? Date.parse(seed.clock.start) : undefined));
    const network = new DeviceNetwork({ clock });
    const org = new OktaOrg({
      clock,
      delivery: network,
      seed: derivedNumber(seedKey),
      ...(seed.org.url ? { orgUrl: seed.org.url } : {}),
      ...(seed.org.lockoutThreshold !== undefined ? { lockoutThreshold: seed.org.lockoutThreshold } : {}),
    });
    network.connect(org);
    const apiToken = org.createApiToken(seed.org.apiToken.name, seed.org.apiToken.value ?? derivedApiToken(seedKey));
    const app = org.createApp({ label: seed.app.label, name: seed.app.name, ...(seed.app.id ? { id: seed.app.id } : {}) });
    for (const name of new Set(seed.users.filter((u) => u.oktaStatus !== 'NONE').flatMap((u) => u.groups))) {
      org.createGroup({ name });
    }

    const duo = new Map<string, DuoPasscodeVerifier>();
    const phones: Array<{ phone: Phone; online: boolean }> = [];
    const users = seed.users.map((u, i): LabUser => {
      const at = (suffix: string): string => `users[${i}]${suffix}`;
      const fail = (path: string, e: unknown): never => {
        throw seedError(source, [{ path, message: `the lab could not build it: ${(e as Error).message}` }]);
      };
      const summary: LabUser = {
        login: u.login,
        oktaStatus: u.oktaStatus,
        adState: u.adState,
        groups: [...u.groups],
        assigned: u.oktaStatus !== 'NONE' && u.assigned,
        phones: u.phones.map((p) => p.name),
        factors: [],
      };
      if (u.adState !== 'none') summary.sAMAccountName = samOf(u);
      const email = u.email ?? (u.login.includes('@') ? u.login : undefined);
      if (email) summary.email = email;

      for (const [j, p] of u.phones.entries()) {
        try {
          const phone = network.addPhone(new Phone({ owner: u.login, number: p.number, name: p.name, clock }));
          phone.voice.answering = p.answersCalls;
          phones.push({ phone, online: p.online });
        } catch (e) {
          fail(at(`.phones[${j}]`), e);
        }
      }
      if (u.oktaStatus === 'NONE') return summary;

      let user: UserRecord;
      try {
        const staged = u.oktaStatus === 'STAGED' || u.oktaStatus === 'PROVISIONED';
        user = org.createUser({
          profile: {
            login: u.login,
            ...(email ? { email } : {}),
            ...(u.firstName ? { firstName: u.firstName } : {}),
            ...(u.lastName ? { lastName: u.lastName } : {}),
            ...(u.phones[0] ? { mobilePhone: u.phones[0].number } : {}),
          },
          password: u.password,
          ...(staged ? { status: u.oktaStatus as 'STAGED' | 'PROVISIONED' } : {}),
        });
        for (const g of u.groups) org.addToGroup(org.getGroup(g)!.id, user.id);
        if (u.assigned) org.assignUserToApp(app.id, user.id);
      } catch (e) {
        return fail(at(''), e);
      }
      summary.oktaUserId = user.id;

      for (const [k, f] of u.factors.entries()) {
        const activate = f.status === 'active';
        const seedPhone = phoneOfFactor(u, f);
        const phone = seedPhone ? network.phone(seedPhone.name) : undefined;
        const lf: LabFactor = { index: k, type: f.type, factorId: '', status: f.status };
        if (phone) lf.phone = phone.name;
        try {
          const secret = f.secret ?? derivedSecret(seedKey, u.login, k);
          switch (f.type) {
            case 'push':
            case 'totp': {
              const provider = f.type === 'push' ? 'OKTA' : (f.provider ?? 'OKTA');
              lf.provider = provider;
              if (provider === 'OKTA') {
                const ov = phone!.oktaVerify ?? phone!.installOktaVerify(seedPhone!.deviceId ? { deviceId: seedPhone!.deviceId } : {});
                ov.setPushBehaviour(parsePushBehaviour(seedPhone!.pushBehaviour));
                lf.deviceId = ov.deviceId;
                lf.factorId = enrolOktaVerify(org, user.id, ov, { secret, activate, totpOnly: f.type === 'totp' }).factorId;
              } else {
                const ga = phone!.googleAuthenticator ?? phone!.installGoogleAuthenticator();
                lf.factorId = enrolGoogleAuthenticator(org, user.id, ga, { secret, activate }).factorId;
              }
              break;
            }
            case 'sms':
            case 'call':
              lf.factorId = enrolPhoneNumber(org, user.id, phone!, f.type, { activate }).factorId;
              break;
            case 'email': {
              const address = f.address ?? email ?? u.login;
              lf.address = address;
              lf.factorId = enrolEmail(org, user.id, network.emailInbox(address, u.login), { activate }).factorId;
              break;
            }
            case 'duo': {
              const app = phone!.duoMobile ?? phone!.installDuoMobile();
              const r = enrolDuo(org, user.id, app, { secret, label: u.login, activate });
              duo.set(u.login.toLowerCase(), r.verifier);
              lf.factorId = r.factorId;
              break;
            }
          }
        } catch (e) {
          fail(at(`.factors[${k}]`), e);
        }
        summary.factors.push(lf);
      }

      try {
        // Status last: enrolment is what an active user does before being suspended, locked, …
        if (u.oktaStatus === 'SUSPENDED') org.suspendUser(user.id);
        else if (u.oktaStatus === 'LOCKED_OUT') org.lockUser(user.id);
        else if (u.oktaStatus === 'PASSWORD_EXPIRED') org.expirePassword(user.id);
        else if (u.oktaStatus === 'DEPROVISIONED') org.deactivateUser(user.id);
      } catch (e) {
        fail(at('.oktaStatus'), e);
      }
      return summary;
    });

    const entries = directoryEntries(seed, clock.now());
    let directory: Directory;
    try {
      directory = new Directory({
        domain: seed.directory.domain,
        baseDn: seed.directory.baseDn,
        clock,
        entries,
        policy: { lockoutThreshold: seed.directory.lockoutThreshold },
      });
    } catch (e) {
      throw seedError(source, [{ path: 'directory', message: (e as Error).message }]);
    }

    await clock.advance(ENROLMENT_SETTLE_MS);
    // Offline phones go offline only now: enrolment needed them to receive activation codes.
    for (const { phone, online } of phones) if (!online) phone.goOffline();

    return new Lab({ seed, clock, org, network, apiToken, app, users, directory, duo });
  }

  /** The directory; start() serves this very object over LDAP. */
  get directory(): Directory {
    return this.#directory;
  }

  users(): LabUser[] {
    return this.#users.map((u) => structuredClone(u));
  }

  /** A seeded user by Okta login, sAMAccountName or UPN (case-insensitive); undefined if none. */
  findUser(name: string): LabUser | undefined {
    const n = name.toLowerCase();
    const u = this.#users.find(
      (x) =>
        x.login.toLowerCase() === n ||
        x.sAMAccountName?.toLowerCase() === n ||
        (x.sAMAccountName && `${x.sAMAccountName}@${this.dnsDomain}`.toLowerCase() === n),
    );
    return u ? structuredClone(u) : undefined;
  }

  /** Like findUser; throws LAB_UNKNOWN_USER. */
  user(name: string): LabUser {
    const u = this.findUser(name);
    if (!u) {
      throw new CodedError('LAB_UNKNOWN_USER', `No user "${name}" in this lab; use an Okta login or sAMAccountName from the seed.`, {
        user: name,
      });
    }
    return u;
  }

  /** The Duo service-side verifier of a Duo-enrolled user (what the org checks passcodes with). */
  duoVerifier(login: string): DuoPasscodeVerifier | undefined {
    return this.#duo.get(this.user(login).login.toLowerCase());
  }

  /** Endpoints while started; undefined otherwise. */
  get endpoints(): LabEndpoints | undefined {
    if (!this.#running) return undefined;
    return { ...this.#running.endpoints, clock: { kind: this.clock.kind, now: new Date(this.clock.now()).toISOString() } };
  }

  /**
   * Serves the world: Okta over HTTP and HTTPS, the directory over LDAP, the
   * control API over HTTP. If any server fails to start, those already
   * started are stopped before the error is thrown: nothing half-started.
   */
  async start(opts: LabStartOptions = {}): Promise<LabEndpoints> {
    if (this.#running || this.#starting) {
      throw new CodedError('LAB_ALREADY_STARTED', 'This lab is already started; stop() it first.');
    }
    this.#starting = true;
    const host = opts.host ?? '127.0.0.1';
    const closers: Array<() => Promise<void>> = [];
    try {
      const okta = await startOktaServer(this.org, { host, port: opts.ports?.okta ?? 0 });
      closers.push(() => okta.close());
      let https: { url: string; caFile: string } | undefined;
      if (opts.tls !== false) {
        const tls = opts.tls ?? {};
        let ca: PemPair & { caFile: string };
        if (tls.dir) {
          ca = await loadOrCreateCa(tls.dir);
        } else {
          const dir = await mkdtemp(join(tmpdir(), 'radius-mfa-lab-ca-'));
          closers.push(() => rm(dir, { recursive: true, force: true }));
          ca = { ...createCa(), caFile: join(dir, 'ca.pem') };
          await writeFile(ca.caFile, ca.certPem, { mode: 0o644 });
        }
        const server = await startOktaServer(this.org, {
          host,
          port: opts.ports?.oktaHttps ?? 0,
          tls: issueServerCert(ca, serverNames(host, tls.hosts ?? [])),
        });
        closers.push(() => server.close());
        https = { url: server.url, caFile: ca.caFile };
      }
      // Serve the lab's own Directory so account changes made before start() hold.
      const ldap = await startDirectory({
        directory: this.#directory,
        domain: this.domain,
        baseDn: this.baseDn,
        host,
        port: opts.ports?.ldap ?? 0,
        clock: this.clock,
      });
      closers.push(() => ldap.close());
      const token = opts.controlToken ?? randomBytes(24).toString('base64url');
      const control = await startControlServer(this, { host, port: opts.ports?.control ?? 0, token });
      closers.push(() => control.close());
      this.faults.attachDirectory(ldap);
      const endpoints: LabEndpoints = {
        okta: {
          baseUrl: okta.url,
          ...(https ? { httpsUrl: https.url, caFile: https.caFile } : {}),
          apiToken: this.apiToken,
          appId: this.app.id,
        },
        // A wildcard bind is reached through loopback on this machine (as the Okta and control URLs).
        ldap: { url: `ldap://${urlHost(ldap.host)}:${ldap.port}`, baseDn: this.baseDn, domain: this.domain },
        control: { url: control.url, token },
        clock: { kind: this.clock.kind, now: new Date(this.clock.now()).toISOString() },
        bind: host,
      };
      this.#running = { endpoints, closers };
      return endpoints;
    } catch (e) {
      await closeAll(closers);
      throw new CodedError(
        'LAB_START_FAILED',
        `The lab could not start its servers on ${host} (${(e as Error).message}); nothing was left running. Check the address and ports.`,
        { host },
        { cause: e },
      );
    } finally {
      this.#starting = false;
    }
  }

  /** Stops every server (in reverse order of start). Safe to call twice. */
  async stop(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    if (running) {
      this.faults.attachDirectory(undefined);
      await closeAll(running.closers);
    }
  }
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch {
      // Stopping is best effort: one server failing to close must not keep the others running.
    }
  }
}
