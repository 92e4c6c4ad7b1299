/**
 * Wrappers around the agent's real Okta client (and the fetch under it) for
 * the zoo's decision-rule and fail-open defects. Each wrapper changes what the
 * agent's engine is told or what it asks, never how it decides: the engine is
 * the reference agent's own.
 */
import { OktaUnavailableError } from '../../../agent/src/okta/client.ts';
import type { FetchLike } from '../../../agent/src/okta/client.ts';
import type { OktaApi, OktaFactor, OktaUser, VerifyResult } from '../../../agent/src/okta/types.ts';

/**
 * The real client with some operations replaced; `real` is passed to each
 * replacement. Everything else — including operations OktaApi gains later (e.g.
 * the optional listUserGroups) — goes to the real client unchanged, bound to it
 * (its methods use private fields), so a wrapper never drops what it doesn't know.
 */
export function overrideOkta(real: OktaApi, overrides: (real: OktaApi) => Partial<OktaApi>): OktaApi {
  const o: Partial<OktaApi> = overrides(real);
  return new Proxy(real, {
    get(target, prop) {
      if (typeof prop === 'string' && Object.hasOwn(o, prop)) return o[prop as keyof OktaApi];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export type OktaFaultKind = '5xx' | '429' | 'network';

/** Counts the Okta faults the agent's HTTP calls met, by kind (the fail-open defects key on them). */
export class OktaFaultCounter {
  readonly seen: Record<OktaFaultKind, number> = { '5xx': 0, '429': 0, network: 0 };

  wrap(inner: FetchLike): FetchLike {
    return async (input, init) => {
      let response: Response;
      try {
        response = await inner(input, init);
      } catch (e) {
        // An abort is the agent giving up, not Okta failing.
        if (!init.signal?.aborted) this.seen.network++;
        throw e;
      }
      if (response.status >= 500) this.seen['5xx']++;
      else if (response.status === 429) {
        // Okta's per-phone SMS throttle (E0000109) is an answer, not a rate limit.
        const body = await response.clone().text();
        if (!body.includes('E0000109')) this.seen['429']++;
      }
      return response;
    };
  }
}

const FAIL_OPEN_FACTOR: OktaFactor = { id: 'fail-open', factorType: 'token:software:totp', provider: 'OKTA', status: 'ACTIVE' };
const SUCCESS: VerifyResult = { outcome: 'SUCCESS' };

/**
 * Fail-open ("fail mode safe"): an Okta call that failed with a fault of `kind`
 * answers as if Okta had said yes, so the engine — whose rules are untouched —
 * signs the user in. Other failures still fail closed.
 */
export function failOpen(real: OktaApi, faults: OktaFaultCounter, kind: OktaFaultKind): OktaApi {
  async function open<T>(call: () => Promise<T>, yes: () => T): Promise<T> {
    const before = faults.seen[kind];
    try {
      return await call();
    } catch (e) {
      if (e instanceof OktaUnavailableError && faults.seen[kind] > before) return yes();
      throw e;
    }
  }
  return overrideOkta(real, (r) => ({
    getUser: (login, s) => open(() => r.getUser(login, s), (): OktaUser => ({ id: `fail-open-${login}`, status: 'ACTIVE', profile: { login } })),
    listFactors: (id, s) => open(() => r.listFactors(id, s), () => [FAIL_OPEN_FACTOR]),
    isAssignedToApp: (app, id, s) => open(() => r.isAssignedToApp(app, id, s), () => true),
    verifyPasscode: (u, f, c, s) => open(() => r.verifyPasscode(u, f, c, s), () => SUCCESS),
    verifyPush: (u, f, t, s) => open(() => r.verifyPush(u, f, t, s), () => SUCCESS),
    primaryAuth: (...a) => open(() => r.primaryAuth(...a), () => ({ status: 'SUCCESS' })),
    authnVerifyPasscode: (t, f, c, s) => open(() => r.authnVerifyPasscode(t, f, c, s), () => SUCCESS),
    authnVerifyPush: (t, f, ms, s) => open(() => r.authnVerifyPush(t, f, ms, s), () => SUCCESS),
  }));
}
