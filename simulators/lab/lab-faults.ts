/**
 * The served lab's fault knobs, in one place the control API reads and
 * writes (`GET/PUT/DELETE /faults`): the mock Okta's latency, 5xx answers,
 * dropped connections and rate limit; the directory going down; and packet
 * loss between the AD Connector and the agent. Okta's and the directory's
 * knobs act on the lab's own servers at once. The connector is not part of a
 * served lab (a person's, or the harness's, connector runs elsewhere), so its
 * loss is a registry entry a connector simulator subscribes to:
 * `mirrorConnectorLoss(faults, networkFaults)` maps it onto the connector's
 * NetworkFaults.
 */
import { z } from 'zod';
import { CodedError } from '../../agent/src/errors.ts';
import type { FaultDirection, FaultHandle, NetworkFaults } from '../ad-connector/faults.ts';
import type { DirectoryServer, DownMode } from '../directory/ldap-server.ts';
import type { OktaOrg } from '../okta/org.ts';

const MAX_LATENCY_MS = 10 * 60_000;

/** One PUT /faults body: any part may be left out (it stays as it is). */
export const faultPatchSchema = z.strictObject({
  okta: z
    .strictObject({
      /** Every Okta answer waits this long first (on the lab clock). */
      latencyMs: z.int().min(0).max(MAX_LATENCY_MS).optional(),
      /** The next `count` calls answer `status` (5xx) with an Okta error body. */
      errors: z.strictObject({ count: z.int().min(0).max(1_000_000), status: z.int().min(500).max(599).default(500) }).optional(),
      /** The next `count` calls get their connection dropped without an answer (the client sees a reset). */
      networkErrors: z.strictObject({ count: z.int().min(0).max(1_000_000) }).optional(),
      /** Calls per fixed window; over it Okta answers 429 E0000047 until the window resets. */
      rateLimit: z.strictObject({ limit: z.int().min(0).max(1_000_000), windowSeconds: z.number().positive().max(3600) }).optional(),
    })
    .optional(),
  directory: z
    .strictObject({
      down: z.boolean(),
      /** refuse: stop listening (connections refused); hang: accept and never answer. */
      mode: z.enum(['refuse', 'hang']).default('refuse'),
    })
    .optional(),
  connector: z
    .strictObject({
      /** Datagrams between the AD Connector and the agent that vanish; null: none. */
      udpLoss: z
        .strictObject({
          direction: z.enum(['outbound', 'inbound', 'both']),
          /** Only this many datagrams (default: every one). */
          count: z.int().min(1).max(1_000_000).optional(),
        })
        .nullable(),
    })
    .optional(),
});

export type FaultPatch = z.output<typeof faultPatchSchema>;
export type ConnectorUdpLoss = NonNullable<NonNullable<FaultPatch['connector']>['udpLoss']>;

export interface FaultState {
  okta: {
    latencyMs: number;
    errors: { pending: number; status: number };
    networkErrors: { pending: number };
    rateLimit: { limit: number; windowSeconds: number };
  };
  directory: { down: boolean; mode: DownMode | null; served: boolean };
  connector: { udpLoss: ConnectorUdpLoss | null; consumers: number };
}

/** Parses a PUT /faults body; LAB_BAD_FAULT names the field and what is allowed. */
export function parseFaultPatch(body: unknown): FaultPatch {
  const r = faultPatchSchema.safeParse(body ?? {});
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  throw new CodedError(
    'LAB_BAD_FAULT',
    `Bad fault ${first.path.join('.') || '(body)'}: ${first.message}; see simulators/lab/README.md (GET /faults shows the current state).`,
    { problems: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
  );
}

export class LabFaults {
  readonly #org: OktaOrg;
  readonly #defaultRateLimit: { limit: number; windowMs: number };
  #directory: DirectoryServer | undefined;
  #directoryDown: DownMode | null = null;
  #udpLoss: ConnectorUdpLoss | null = null;
  readonly #consumers = new Set<(loss: ConnectorUdpLoss | null) => void>();

  constructor(org: OktaOrg) {
    this.#org = org;
    this.#defaultRateLimit = org.rateLimiter.setting;
  }

  /** The served directory (set by Lab.start, cleared by stop). */
  attachDirectory(server: DirectoryServer | undefined): void {
    this.#directory = server;
    this.#directoryDown = null;
  }

  async apply(patch: FaultPatch): Promise<FaultState> {
    const o = patch.okta;
    if (o?.latencyMs !== undefined) this.#org.setLatency(o.latencyMs);
    if (o?.errors) this.#org.failNextCalls(o.errors.count, o.errors.status);
    if (o?.networkErrors) this.#org.failNextWithNetworkError(o.networkErrors.count);
    if (o?.rateLimit) this.#org.setRateLimit({ limit: o.rateLimit.limit, windowMs: Math.round(o.rateLimit.windowSeconds * 1000) });
    if (patch.directory) {
      const server = this.#directory;
      if (!server) throw new CodedError('LAB_NOT_SERVED', 'The directory is not being served (start the lab first); nothing to take down.');
      if (patch.directory.down) {
        // Down in another way (refuse ↔ hang): come back first, then go down as asked.
        if (!server.isUp && this.#directoryDown !== patch.directory.mode) await server.comeBack();
        if (server.isUp) await server.goDown(patch.directory.mode);
        this.#directoryDown = patch.directory.mode;
      } else {
        if (!server.isUp) await server.comeBack();
        this.#directoryDown = null;
      }
    }
    if (patch.connector) {
      this.#udpLoss = patch.connector.udpLoss;
      for (const c of this.#consumers) c(this.#udpLoss);
    }
    return this.state();
  }

  /** Everything back to normal: no latency, no forced errors, the seed's rate limit, directory up, no loss. */
  async reset(): Promise<FaultState> {
    this.#org.resetFaults();
    this.#org.setRateLimit(this.#defaultRateLimit);
    if (this.#directory && !this.#directory.isUp) await this.#directory.comeBack();
    this.#directoryDown = null;
    this.#udpLoss = null;
    for (const c of this.#consumers) c(null);
    return this.state();
  }

  state(): FaultState {
    const plan = this.#org.faults.plan;
    const rl = this.#org.rateLimiter.setting;
    return {
      okta: {
        latencyMs: plan.latencyMs,
        errors: { pending: plan.failNext, status: plan.failStatus },
        networkErrors: { pending: Number.isFinite(plan.networkErrorsNext) ? plan.networkErrorsNext : -1 },
        rateLimit: { limit: rl.limit, windowSeconds: rl.windowMs / 1000 },
      },
      directory: { down: this.#directoryDown !== null, mode: this.#directoryDown, served: this.#directory !== undefined },
      connector: { udpLoss: this.#udpLoss, consumers: this.#consumers.size },
    };
  }

  /** The connector's loss as set now. */
  get connectorUdpLoss(): ConnectorUdpLoss | null {
    return this.#udpLoss;
  }

  /** Called now and on every change of the connector's loss; returns an unsubscribe function. */
  onConnectorUdpLoss(listener: (loss: ConnectorUdpLoss | null) => void): () => void {
    this.#consumers.add(listener);
    listener(this.#udpLoss);
    return () => this.#consumers.delete(listener);
  }
}

/**
 * The consumer side for a connector simulator: keeps `net` (the connector's
 * NetworkFaults) dropping what the lab's registry says, replacing the rule on
 * every change. Returns a function that stops mirroring and removes the rule.
 */
export function mirrorConnectorLoss(faults: LabFaults, net: NetworkFaults): () => void {
  let handles: FaultHandle[] = [];
  const clear = (): void => {
    for (const h of handles) h.remove();
    handles = [];
  };
  const off = faults.onConnectorUdpLoss((loss) => {
    clear();
    if (!loss) return;
    const directions: FaultDirection[] = loss.direction === 'both' ? ['outbound', 'inbound'] : [loss.direction];
    handles = directions.map((d) => net.drop(d, { ...(loss.count !== undefined ? { count: loss.count } : {}), reason: 'lab-udp-loss' }));
  });
  return () => {
    off();
    clear();
  };
}
