/**
 * Wrappers around the agent's real Okta client (and the fetch under it) for
 * the zoo's decision-rule and fail-open defects. Each wrapper changes what the
 * agent's engine is told or what it asks, never how it decides: the engine is
 * the reference agent's own.
 */
import { OktaUnavailableError } from '../../../agent/src/okta/client.ts';
import type { FetchLike } from '../../../agent/src/okta/client.ts';
import type { OktaApi, OktaFactor, OktaUser, VerifyResult } from '../../../agent/src/okta/types.ts';

/** The real client with some operations replaced; `real` is passed to each replacement. */
export function overrideOkta(real: OktaApi, overrides: (real: OktaApi) => Partial<OktaApi>): OktaApi {
  const o = overrides(real);
  return {
    getUser: o.getUser ?? ((...a) => real.getUser(...a)),
    listFactors: o.listFactors ?? ((...a) => real.listFactors(...a)),
    isAssignedToApp: o.isAssignedToApp ?? ((...a) => real.isAssignedToApp(...a)),
    verifyPasscode: o.verifyPasscode ?? ((...a) => real.verifyPasscode(...a)),
    challenge: o.challenge ?? ((...a) => real.challenge(...a)),
    verifyPush: o.verifyPush ?? ((...a) => real.verifyPush(...a)),
    primaryAuth: o.primaryAuth ?? ((...a) => real.primaryAuth(...a)),
    authnVerifyPasscode: o.authnVerifyPasscode ?? ((...a) => real.authnVerifyPasscode(...a)),
    authnChallenge: o.authnChallenge ?? ((...a) => real.authnChallenge(...a)),
    authnVerifyPush: o.authnVerifyPush ?? ((...a) => real.authnVerifyPush(...a)),
  };
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
  return {
    getUser: (login, s) => open(() => real.getUser(login, s), (): OktaUser => ({ id: `fail-open-${login}`, status: 'ACTIVE', profile: { login } })),
    listFactors: (id, s) => open(() => real.listFactors(id, s), () => [FAIL_OPEN_FACTOR]),
    isAssignedToApp: (app, id, s) => open(() => real.isAssignedToApp(app, id, s), () => true),
    verifyPasscode: (u, f, c, s) => open(() => real.verifyPasscode(u, f, c, s), () => SUCCESS),
    challenge: (u, f, s) => real.challenge(u, f, s),
    verifyPush: (u, f, t, s) => open(() => real.verifyPush(u, f, t, s), () => SUCCESS),
    primaryAuth: (n, p, s) => open(() => real.primaryAuth(n, p, s), () => ({ status: 'SUCCESS' })),
    authnVerifyPasscode: (t, f, c, s) => open(() => real.authnVerifyPasscode(t, f, c, s), () => SUCCESS),
    authnChallenge: (t, f, s) => real.authnChallenge(t, f, s),
    authnVerifyPush: (t, f, ms, s) => open(() => real.authnVerifyPush(t, f, ms, s), () => SUCCESS),
  };
}
