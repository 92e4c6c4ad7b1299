/**
 * AWS AD Connector, as far as RADIUS MFA goes: RadiusSettings and RadiusStatus,
 * two client addresses sharing one secret, and the sign-in a WorkSpaces client
 * asks for — password first, then an Access-Request with the MFA code, with
 * retries, timeouts and failover across servers. No Access-Challenge support
 * (AWS documents that): a challenge ends the sign-in as a failure.
 *
 * RadiusStatus rule (AWS doesn't document its own; this is ours):
 *   absent until enableRadius; 'Creating' while every configured server is
 *   probed in parallel; 'Completed' when each server answered its probe with a
 *   reply that passed the authenticator (and Message-Authenticator) check
 *   within RadiusTimeout × (RadiusRetries + 1); otherwise 'Failed', with one
 *   line per failing server saying why. Any verified answer counts (Accept,
 *   Reject or Challenge): the probe tests reachability and the secret, not a user.
 *   The probe is an Access-Request for the user `probeUserName` (default) or a
 *   Status-Server (RFC 5997) when `probe: 'status-server'`.
 *
 * Sign-ins while the status is 'Creating' are refused by default: AWS, WorkSpaces
 * admin guide (connect-mfa, "Multi-factor authentication (AD Connector)"): "While
 * multi-factor authentication is being set up, users cannot log in to their
 * WorkSpaces." (option signInWhileCreating: 'allow' keeps the old lab behaviour).
 *
 * Order of the two checks (option checkOrder): AWS documents it only for AWS
 * Managed Microsoft AD (ms_ad_mfa.md: "If your RADIUS server successfully
 * validates the user, AWS Managed Microsoft AD then authenticates the user
 * against AD"); for AD Connector it says nothing. Default 'password-first': the
 * password is checked before any RADIUS request, so a wrong password never makes
 * a phone buzz or spends a one-time code; 'radius-first' reproduces Managed AD's
 * documented order (see README, "Order of checks").
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Clock } from '../../agent/src/clock.ts';
import { CodedError, isCodedError } from '../../agent/src/errors.ts';
import { type Endpoint, type PacketEvent, PacketEvents } from '../../agent/src/packet-events.ts';
import { ClientSocket } from './client-socket.ts';
import { type ExchangeResult, exchange } from './exchange.ts';
import type { NetworkFaults } from './faults.ts';
import { MESSAGES, messageForDirectory, reasonForAdData, type SignInReason } from './messages.ts';
import type { PasswordChecker } from './password-checker.ts';
import { encodeAccessRequest, encodeStatusServer, type ReplyProblem } from './radius-codec.ts';
import { type RadiusSettings, redactSettings, validateRadiusSettings } from './settings.ts';
import { chooseSourceAddresses, type SourceChoice } from './source-addresses.ts';

export type RadiusStatus = 'Creating' | 'Completed' | 'Failed';

export interface AdConnectorOptions {
  clock: Clock;
  /** The password check (default: none — pass ldapPasswordChecker({url}) for the directory). */
  passwordChecker: PasswordChecker;
  events?: PacketEvents;
  faults?: NetworkFaults;
  /**
   * The connector's client addresses (IPv4 and/or IPv6). Absent: with `reach`,
   * what the OS uses to reach that address plus a second one where the machine
   * has it (source-addresses.ts); without `reach`, 127.0.0.2 and 127.0.0.3.
   */
  sourceAddresses?: string[];
  /** The RADIUS server's address, for choosing source addresses when `sourceAddresses` is absent. */
  reach?: string;
  /**
   * 'alternate' (default): successive sign-ins take turns between the addresses,
   * as AWS's two connector instances share the load; 'first': always the first.
   * One sign-in keeps its address for all retransmissions and failovers, so the
   * server's duplicate detection sees the same client.
   */
  sourcePolicy?: 'alternate' | 'first';
  /** Sent as NAS-Identifier (default: the directory id). */
  directoryId?: string;
  /**
   * Include Message-Authenticator in Access-Requests (default true). AWS documents
   * neither way; on by default because RFC 3579 §3.2 and the BlastRADIUS guidance
   * (CVE-2024-3596) ask clients to send it, and an agent that requires it (the
   * reference agent's default) otherwise drops every request. Off reproduces a
   * client that predates that guidance (the hardening scenario).
   */
  messageAuthenticator?: boolean;
  /** Password (AD) before the RADIUS request, or after (default 'password-first'; see the file comment). */
  checkOrder?: 'password-first' | 'radius-first';
  /** Sign-ins while RadiusStatus is 'Creating': 'refuse' (default, as AWS documents) or 'allow'. */
  signInWhileCreating?: 'refuse' | 'allow';
  /** Refuse replies without Message-Authenticator (default false; on = BlastRADIUS client mitigation). */
  requireReplyMessageAuthenticator?: boolean;
  /** How the status probe asks each server (default 'access-request'). */
  probe?: 'access-request' | 'status-server';
  probeUserName?: string;
  /** Host name → IPv4 address (default: the system resolver; IP literals pass through). */
  resolve?: (host: string) => Promise<string>;
}

export interface SignInInput {
  username: string;
  password: string;
  mfaCode: string;
}

export interface SignInResult {
  signedIn: boolean;
  reason: SignInReason;
  /** What the WorkSpaces client shows. */
  message: string;
  /** Reply-Messages of the final reply, joined with newlines (for scenarios; the client doesn't show it). */
  replyMessage?: string;
  /** RADIUS datagrams sent for this sign-in (transmissions, across servers). */
  attempts: number;
  /** 'host:port' of the server whose verified reply decided the outcome. */
  serverUsed?: string;
  /** The client address the requests left from. */
  sourceAddress?: string;
  /** The directory's reason and AD sub-code when the password step failed. */
  directoryReason?: string;
  adData?: string;
  /** Replies refused on the way (bad authenticator, …), each treated as no reply. */
  replyProblems: ReplyProblem[];
  trace: PacketEvent[];
}

export interface StatusReport {
  status: RadiusStatus;
  /** Why it failed, one entry per failing server; empty when Completed. */
  reasons: string[];
}

export class AdConnector {
  readonly events: PacketEvents;
  readonly #clock: Clock;
  readonly #options: AdConnectorOptions;
  readonly #sockets: ClientSocket[];
  #settings: RadiusSettings | undefined;
  #status: RadiusStatus | undefined;
  #statusReasons: string[] = [];
  #generation = 0;
  #settled: Promise<StatusReport | undefined> = Promise.resolve(undefined);
  #pending = 0;
  #turn = 0;
  #sourceChoice: SourceChoice;

  private constructor(options: AdConnectorOptions, sockets: ClientSocket[], events: PacketEvents, sourceChoice: SourceChoice) {
    this.#options = { ...options }; // configure() changes this copy, never the caller's object
    this.#clock = options.clock;
    this.#sockets = sockets;
    this.events = events;
    this.#sourceChoice = sourceChoice;
  }

  /** Bind the client sockets and return a connector with RADIUS not yet enabled. */
  static async create(options: AdConnectorOptions): Promise<AdConnector> {
    const events = options.events ?? new PacketEvents();
    const choice: SourceChoice = options.sourceAddresses
      ? { addresses: [...options.sourceAddresses], how: 'given by the run' }
      : options.reach
        ? await chooseSourceAddresses(options.reach)
        : { addresses: ['127.0.0.2', '127.0.0.3'], how: "the lab's default loopback pair" };
    const addresses = choice.addresses;
    if (addresses.length === 0) throw new CodedError('AD_CONNECTOR_NO_SOURCE', 'Give the connector at least one source address.');
    const sockets: ClientSocket[] = [];
    try {
      for (const address of addresses) sockets.push(await ClientSocket.bind(address, options.clock, events, options.faults));
    } catch (e) {
      await Promise.all(sockets.map((s) => s.close()));
      throw new CodedError(
        'AD_CONNECTOR_BIND_FAILED',
        `Could not bind the connector's client addresses ${addresses.join(', ')}: ${(e as Error).message}. Use addresses this machine owns (127.0.0.x, ::1, or an interface's address).`,
        {},
        { cause: e },
      );
    }
    return new AdConnector(options, sockets, events, choice);
  }

  /**
   * Change connector settings that are not part of RadiusSettings before (or
   * between) sign-ins: whether requests carry Message-Authenticator, the order
   * of checks, sign-ins while Creating. Scenarios set them through their steps.
   */
  configure(patch: Partial<Pick<AdConnectorOptions, 'messageAuthenticator' | 'checkOrder' | 'signInWhileCreating' | 'requireReplyMessageAuthenticator'>>): void {
    Object.assign(this.#options, patch);
  }

  /**
   * Re-bind the client addresses (e.g. chosen from the route to the agent, or
   * an IPv6 one added). Only while nothing is pending; the old sockets close.
   */
  async rebindSources(options: { sourceAddresses?: string[]; reach?: string }): Promise<SourceChoice> {
    if (this.#pending > 0) throw new CodedError('AD_CONNECTOR_BUSY', 'Requests are still pending: re-bind the source addresses before signing in.');
    const { sourceAddresses: _given, reach: _reach, ...rest } = this.#options;
    const fresh = await AdConnector.create({ ...rest, ...options, events: this.events });
    await Promise.all(this.#sockets.map((s) => s.close()));
    this.#sockets.splice(0, this.#sockets.length, ...fresh.#sockets);
    this.#sourceChoice = fresh.#sourceChoice;
    delete this.#options.sourceAddresses;
    delete this.#options.reach;
    Object.assign(this.#options, options);
    return this.sourceChoice;
  }

  /** Which client addresses the connector uses and how they were chosen (for reports). */
  get sourceChoice(): SourceChoice {
    return { addresses: this.#sockets.map((s) => s.local.address), how: this.#sourceChoice.how };
  }

  /** The client addresses (with their ephemeral ports) the RADIUS server will see. */
  get sourceEndpoints(): Endpoint[] {
    return this.#sockets.map((s) => ({ ...s.local }));
  }

  /** How many RADIUS requests are waiting for a reply (sign-ins and probes). */
  get pendingRequests(): number {
    return this.#pending;
  }

  get radiusStatus(): RadiusStatus | undefined {
    return this.#status;
  }

  /** Why the status is Failed (empty otherwise). */
  get radiusStatusReasons(): readonly string[] {
    return this.#statusReasons;
  }

  /** The settings as DescribeDirectories shows them (secret masked), or undefined. */
  describeRadius(): { RadiusStatus?: RadiusStatus; RadiusSettings?: ReturnType<typeof redactSettings> } {
    if (!this.#settings || !this.#status) return {};
    return { RadiusStatus: this.#status, RadiusSettings: redactSettings(this.#settings) };
  }

  /** Resolves when the current status leaves 'Creating' (undefined if RADIUS is disabled meanwhile). */
  whenStatusSettled(): Promise<StatusReport | undefined> {
    return this.#settled;
  }

  /** EnableRadius: validate (InvalidParameterException leaves nothing changed), then probe. */
  enableRadius(settings: unknown): void {
    const clean = validateRadiusSettings(settings);
    if (this.#settings) {
      throw new CodedError('ClientException', 'RADIUS is already enabled for this directory. Use updateRadius to change its settings.');
    }
    this.#apply(clean);
  }

  /** UpdateRadius: same validation; on success the status goes back to 'Creating' and the servers are probed again. */
  updateRadius(settings: unknown): void {
    const clean = validateRadiusSettings(settings);
    if (!this.#settings) {
      throw new CodedError('ClientException', 'RADIUS is not enabled for this directory. Use enableRadius first.');
    }
    this.#apply(clean);
  }

  /** DisableRadius: settings and status gone; sign-ins are password-only again. */
  disableRadius(): void {
    this.#generation++;
    this.#settings = undefined;
    this.#status = undefined;
    this.#statusReasons = [];
    this.#settled = Promise.resolve(undefined);
  }

  async close(): Promise<void> {
    this.#generation++;
    await Promise.all(this.#sockets.map((s) => s.close()));
  }

  #apply(settings: RadiusSettings): void {
    const generation = ++this.#generation;
    this.#settings = settings;
    this.#status = 'Creating';
    this.#statusReasons = [];
    this.#settled = this.#probeAll(settings).then((reasons) => {
      if (generation !== this.#generation) return undefined; // superseded by update/disable
      this.#status = reasons.length === 0 ? 'Completed' : 'Failed';
      this.#statusReasons = reasons;
      return { status: this.#status, reasons };
    });
  }

  async #probeAll(settings: RadiusSettings): Promise<string[]> {
    const results = await Promise.all(
      allServers(settings).map(async (host): Promise<string | undefined> => {
        const label = `${host}:${settings.RadiusPort}`;
        let address: string;
        try {
          address = await this.#resolve(host);
        } catch {
          return `cannot resolve ${host}`;
        }
        // Probes leave from the first client address of the server's family.
        const socket = this.#sockets.find((s) => s.family === familyOf(address));
        if (!socket) return `no IPv${familyOf(address)} client address to reach ${label} (the connector has ${this.#sockets.map((s) => s.local.address).join(', ')})`;
        const result = await this.#exchange(socket, { address, port: settings.RadiusPort }, settings, (identifier) =>
          this.#options.probe === 'status-server'
            ? encodeStatusServer({ identifier, secret: settings.SharedSecret, nasIdentifier: this.#nasIdentifier })
            : encodeAccessRequest({
                identifier,
                secret: settings.SharedSecret,
                userName: this.#options.probeUserName ?? 'aws-radius-status-probe',
                password: 'status-probe',
                protocol: settings.AuthenticationProtocol,
                nasIdentifier: this.#nasIdentifier,
                ...nasIp(socket),
                messageAuthenticator: this.#options.messageAuthenticator ?? true,
              }),
        );
        if (result.kind === 'reply') return undefined;
        return describeNoReply(label, result, settings, this.#options.messageAuthenticator ?? true);
      }),
    );
    return results.filter((r): r is string => r !== undefined);
  }

  get #nasIdentifier(): string {
    return this.#options.directoryId ?? 'd-0000000000';
  }

  #exchange(socket: ClientSocket, server: Endpoint, settings: RadiusSettings, encode: Parameters<typeof exchange>[0]['encode'], trace?: PacketEvent[]): Promise<ExchangeResult> {
    const options: Parameters<typeof exchange>[0] = {
      socket,
      server,
      clock: this.#clock,
      secret: settings.SharedSecret,
      timeoutMs: settings.RadiusTimeout * 1000,
      transmissions: settings.RadiusRetries + 1,
      requireMessageAuthenticator: this.#options.requireReplyMessageAuthenticator ?? false,
      encode,
      onPendingChange: (delta) => {
        this.#pending += delta;
      },
    };
    if (trace) options.trace = trace;
    return exchange(options);
  }

  async #resolve(host: string): Promise<string> {
    if (isIP(host) !== 0) return host;
    if (this.#options.resolve) return this.#options.resolve(host);
    return (await lookup(host, { family: 4 })).address;
  }

  /**
   * One WorkSpaces sign-in. Never throws for a user-facing failure: the result
   * says what happened, in the user's words, with the packet trace.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const trace: PacketEvent[] = [];
    const replyProblems: ReplyProblem[] = [];
    const result = (reason: SignInReason, extra: Partial<SignInResult> = {}): SignInResult => ({
      signedIn: reason === 'ok',
      reason,
      message: MESSAGES[reason],
      attempts: 0,
      replyProblems,
      trace,
      ...extra,
    });
    const settings = this.#settings; // a sign-in keeps the settings it started with
    if (settings && this.#status === 'Creating' && (this.#options.signInWhileCreating ?? 'refuse') === 'refuse') {
      // AWS connect-mfa: "While multi-factor authentication is being set up, users cannot log in to their WorkSpaces."
      return result('mfa-being-set-up');
    }
    if (settings && input.mfaCode === '') return result('mfa-code-required');

    if (settings && this.#options.checkOrder === 'radius-first') {
      // Managed AD's documented order (ms_ad_mfa.md): RADIUS validates first, then AD.
      const radius = await this.#radiusStep(settings, input, trace, replyProblems);
      if (radius.reason !== 'ok') return result(radius.reason, radius.extra);
      const password = await this.#passwordStep(input);
      if (password) return result(password.reason, { ...radius.extra, ...password.extra });
      return result('ok', radius.extra);
    }

    // 1. The password, against the directory.
    const password = await this.#passwordStep(input);
    if (password) return result(password.reason, password.extra);
    if (!settings) return result('ok'); // no RADIUS configured: password-only, as without MFA
    // 2. The MFA code, over RADIUS.
    const radius = await this.#radiusStep(settings, input, trace, replyProblems);
    return result(radius.reason, radius.extra);
  }

  /** The password against the directory: undefined when it passed, else the refusal. */
  async #passwordStep(input: SignInInput): Promise<{ reason: SignInReason; extra: Partial<SignInResult> } | undefined> {
    let check: Awaited<ReturnType<PasswordChecker['check']>>;
    try {
      check = await this.#options.passwordChecker.check({ username: input.username, password: input.password });
    } catch (e) {
      return { reason: 'directory-unreachable', extra: { directoryReason: isCodedError(e) ? e.code : 'error' } };
    }
    if (check.ok) return undefined;
    const extra: Partial<SignInResult> = { directoryReason: check.reason };
    if (check.adData !== undefined) extra.adData = check.adData;
    const reason = check.unreachable ? 'directory-unreachable' : reasonForAdData(check.adData);
    extra.message = reason === 'directory-unreachable' ? MESSAGES[reason] : messageForDirectory(reason, check.adData);
    return { reason, extra };
  }

  /**
   * The MFA code over RADIUS: servers in order (RadiusServers, then
   * RadiusServersIpv6), each with its retries, from one client address per
   * address family for the whole sign-in.
   */
  async #radiusStep(
    settings: RadiusSettings,
    input: SignInInput,
    trace: PacketEvent[],
    replyProblems: ReplyProblem[],
  ): Promise<{ reason: SignInReason; extra: Partial<SignInResult> }> {
    const chosen = new Map<4 | 6, ClientSocket | undefined>();
    const socketFor = (family: 4 | 6): ClientSocket | undefined => {
      if (!chosen.has(family)) chosen.set(family, this.#pickSocket(family));
      return chosen.get(family);
    };
    let attempts = 0;
    let lastSource: string | undefined;
    for (const host of allServers(settings)) {
      let address: string;
      try {
        address = await this.#resolve(host);
      } catch {
        continue; // an unresolvable server is skipped like one that doesn't answer
      }
      const socket = socketFor(familyOf(address));
      if (!socket) continue; // no client address of that family: skipped like one that doesn't answer
      lastSource = socket.local.address;
      const server = { address, port: settings.RadiusPort };
      let outcome: ExchangeResult;
      try {
        outcome = await this.#exchange(
          socket,
          server,
          settings,
          (identifier) =>
            encodeAccessRequest({
              identifier,
              secret: settings.SharedSecret,
              userName: input.username,
              password: input.mfaCode,
              protocol: settings.AuthenticationProtocol,
              nasIdentifier: this.#nasIdentifier,
              ...nasIp(socket),
              messageAuthenticator: this.#options.messageAuthenticator ?? true,
            }),
          trace,
        );
      } catch (e) {
        // The code can't be encoded (e.g. longer than User-Password allows): the client gives up.
        if (!isCodedError(e)) throw e;
        return { reason: 'radius-error', extra: { attempts, sourceAddress: socket.local.address, directoryReason: e.code } };
      }
      attempts += outcome.transmissions;
      replyProblems.push(...outcome.problems);
      if (outcome.kind === 'no-reply') continue;
      const { reply } = outcome;
      const extra: Partial<SignInResult> = { attempts, serverUsed: `${host}:${settings.RadiusPort}`, sourceAddress: socket.local.address };
      if (reply.replyMessages.length > 0) extra.replyMessage = reply.replyMessages.join('\n');
      switch (reply.codeName) {
        case 'Access-Accept':
          return { reason: 'ok', extra };
        case 'Access-Reject':
          return { reason: 'mfa-rejected', extra };
        case 'Access-Challenge':
          return { reason: 'challenge-unsupported', extra };
      }
    }
    const extra: Partial<SignInResult> = { attempts };
    if (lastSource !== undefined) extra.sourceAddress = lastSource;
    return { reason: 'mfa-timeout', extra };
  }

  /** The next client address of `family` ('alternate': successive sign-ins take turns; 'first': always the first). */
  #pickSocket(family: 4 | 6): ClientSocket | undefined {
    const pool = this.#sockets.filter((s) => s.family === family);
    if (pool.length === 0) return undefined;
    if (this.#options.sourcePolicy === 'first') return pool[0]!;
    const socket = pool[this.#turn % pool.length]!;
    this.#turn++;
    return socket;
  }
}

/** RadiusServers, then RadiusServersIpv6 (AWS gives no order between them; this is ours). */
function allServers(settings: RadiusSettings): string[] {
  return [...settings.RadiusServers, ...(settings.RadiusServersIpv6 ?? [])];
}

function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/** NAS-IP-Address holds IPv4 only; from an IPv6 address the connector sends none (NAS-Identifier still names it). */
function nasIp(socket: ClientSocket): { nasIpAddress?: string } {
  return socket.family === 4 ? { nasIpAddress: socket.local.address } : {};
}

function describeNoReply(label: string, result: ExchangeResult, settings: RadiusSettings, sentMessageAuthenticator: boolean): string {
  const window = `${settings.RadiusTimeout} s × ${settings.RadiusRetries + 1} attempt${settings.RadiusRetries === 0 ? '' : 's'}`;
  if (result.problems.includes('bad-response-authenticator') || result.problems.includes('bad-message-authenticator')) {
    return `reply from ${label} failed the authenticator check — wrong shared secret suspected`;
  }
  if (result.problems.includes('missing-message-authenticator')) {
    return `reply from ${label} had no Message-Authenticator, which this connector requires`;
  }
  if (result.problems.length > 0) return `replies from ${label} were malformed (${[...new Set(result.problems)].join(', ')})`;
  if (!sentMessageAuthenticator) {
    // The server can't tell us why it stayed silent; this is the likeliest reason since BlastRADIUS (CVE-2024-3596).
    return `no answer from ${label} within ${window}; the requests carried no Message-Authenticator, and a server that requires it (BlastRADIUS hardening) drops them silently`;
  }
  return `no answer from ${label} within ${window}`;
}
