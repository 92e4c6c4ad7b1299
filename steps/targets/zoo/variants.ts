/**
 * The zoo: the reference agent with ONE realistic defect each, the kind an
 * agent vendor ships. A defect is injected from outside the agent — by its
 * configuration, by a wrapper around its Okta client or the fetch under it, or
 * by the RADIUS front around its UDP socket (zoo/front.ts) — never by a copy of
 * its code. Each variant names the failure that proves it was caught for the
 * reason it describes (`caughtBy`, judged by zoo/judge.ts): a zoo run passes
 * only when every variant is caught that way by at least one scenario.
 *
 * `control` is the zoo's machinery with no defect: the whole suite must pass
 * on it, which shows the wrappers themselves change nothing.
 */
import type { AgentConfig } from '../../../agent/src/config.ts';
import type { FetchLike } from '../../../agent/src/okta/client.ts';
import type { OktaApi, OktaFactor } from '../../../agent/src/okta/types.ts';
import { RadiusCode } from '../../../agent/src/radius/codes.ts';
import { AttributeType } from '../../../agent/src/radius/dictionary.ts';
import type { FrontHooks } from './front.ts';
import type { CaughtBy } from './judge.ts';
import { failOpen, OktaFaultCounter, overrideOkta } from './okta-wrap.ts';
import { clearPassword, resignRequest, rewriteReply } from './rewrite.ts';

export type DefectArea = 'radius-hygiene' | 'decision-rules' | 'timeouts' | 'fail-open' | 'none';

/** How one defect is put into a fresh agent (one call per scenario's agent). */
export interface Injection {
  config?(config: AgentConfig): void;
  fetch?(inner: FetchLike): FetchLike;
  okta?(real: OktaApi): OktaApi;
  front?: FrontHooks;
}

export interface ZooVariant {
  name: string;
  area: DefectArea;
  /** The defect, as a vendor's release note would confess it. */
  description: string;
  /** Failures that prove it was caught for this reason; any one is enough. */
  caughtBy: CaughtBy[];
  inject(): Injection;
}

const isKeyword = (s: string): boolean => ['PUSH', 'SMS', 'CALL', 'EMAIL'].includes(s.trim().toUpperCase());

/** A front that re-encodes every reply of the agent as `how`, after `edit`. */
function replyFront(how: Parameters<typeof rewriteReply>[3], edit?: Parameters<typeof rewriteReply>[4]): FrontHooks {
  return { reply: (bytes, request, secret) => (secret === undefined ? bytes : rewriteReply(bytes, request, secret, how, edit)) };
}

/** Every SMS / TOTP style factor but the first of its kind is hidden (Okta lists oldest first). */
function firstOfEachKind(factors: OktaFactor[]): OktaFactor[] {
  const seen = new Set<string>();
  return factors.filter((f) => {
    const kind = `${f.factorType}|${f.provider}`;
    if (seen.has(kind)) return false;
    seen.add(kind);
    return true;
  });
}

/** Failure texts the suite's steps use, shared by several variants. */
const SIGNED_IN_WHEN_REFUSAL_EXPECTED = /(is refused|is rejected by the agent|refused by the VPN)/;
const WAS_SIGNED_IN = /(signed in|accept|Access-Accept|\b2\b)/i;

export const ZOO_VARIANTS: readonly ZooVariant[] = [
  // ─── RADIUS hygiene ──────────────────────────────────────────────────────
  {
    name: 'ma-not-verified',
    area: 'radius-hygiene',
    description: 'Message-Authenticator in requests is never checked: a tampered or wrongly-keyed one is accepted (BlastRADIUS, CVE-2024-3596).',
    caughtBy: [
      { step: /tampered Message-Authenticator|does not answer/, message: /answered/ },
      { step: /dropped \d+ requests? as "bad-message-authenticator"/ },
    ],
    inject: () => ({
      front: {
        // Re-signed with the client's real secret: what the agent checks is then always right.
        request: (bytes, secret) => {
          if (secret === undefined || bytes[0] !== RadiusCode.AccessRequest) return { forward: bytes };
          return { forward: resignRequest(bytes, secret, { keepMessageAuthenticator: true }) ?? bytes };
        },
      },
    }),
  },
  {
    name: 'ma-not-required',
    area: 'radius-hygiene',
    description: 'Access-Requests without Message-Authenticator are processed although the client is configured to require it.',
    caughtBy: [
      { step: /without a Message-Authenticator|does not answer/, message: /answered/ },
      { step: /dropped \d+ requests? as "missing-message-authenticator"/ },
    ],
    inject: () => ({
      config: (c) => {
        for (const app of c.apps) for (const client of app.clients) client.requireMessageAuthenticator = false;
      },
    }),
  },
  {
    name: 'ma-last-in-replies',
    area: 'radius-hygiene',
    description: 'Replies carry Message-Authenticator as the last attribute instead of the first (the BlastRADIUS hardening is missing).',
    caughtBy: [{ step: /first attribute is Message-Authenticator/ }],
    inject: () => ({ front: replyFront({ ma: 'last' }) }),
  },
  {
    name: 'ma-missing-in-replies',
    area: 'radius-hygiene',
    description: 'Replies carry no Message-Authenticator at all.',
    caughtBy: [{ step: /first attribute is Message-Authenticator|Message-Authenticator is valid/ }],
    inject: () => ({ front: replyFront({ ma: 'none' }) }),
  },
  {
    name: 'proxy-state-dropped',
    area: 'radius-hygiene',
    description: 'Proxy-State attributes of the request are not copied into the reply (RFC 2865 §5.33).',
    caughtBy: [{ step: /Proxy-State/ }],
    inject: () => ({ front: replyFront({ ma: 'first' }, (attrs) => attrs.filter((a) => a.type !== AttributeType.ProxyState)) }),
  },
  {
    name: 'proxy-state-reordered',
    area: 'radius-hygiene',
    description: 'Proxy-State attributes are copied into the reply in reverse order.',
    caughtBy: [{ step: /Proxy-State/ }],
    inject: () => ({
      front: replyFront({ ma: 'first' }, (attrs) => {
        const states = attrs.filter((a) => a.type === AttributeType.ProxyState).reverse();
        return [...attrs.filter((a) => a.type !== AttributeType.ProxyState), ...states];
      }),
    }),
  },
  {
    name: 'no-duplicate-detection',
    area: 'radius-hygiene',
    description: 'No duplicate detection: every retransmission is processed as a new request (a second Okta verify call, a second push).',
    caughtBy: [{ step: /exactly (one|1) Okta verify call|received 1 push|same Access-Accept/ }],
    // Each datagram reaches the agent from a new source port, so its duplicate cache never matches.
    inject: () => ({ front: { request: (bytes) => ({ forward: bytes, freshSourcePort: true }) } }),
  },
  {
    name: 'response-authenticator-without-secret',
    area: 'radius-hygiene',
    description: 'The Response Authenticator is computed without the shared secret, so clients cannot trust (and drop) every reply.',
    caughtBy: [{ step: /is signed in|answers (with|every)|signed in to the VPN/, message: /(not signed in|did not answer|no answer|authenticator|timed? ?out)/i }],
    inject: () => ({ front: replyFront({ ma: 'first', authenticatorWithoutSecret: true }) }),
  },
  {
    name: 'unknown-clients-accepted',
    area: 'radius-hygiene',
    description: 'Requests from any source address are answered with the shared secret (no client allow-list).',
    caughtBy: [
      { step: /did not answer/ },
      { step: /does not answer/, message: /answered/ },
      { step: /dropped \d+ requests? as "unknown-client"/ },
    ],
    inject: () => ({
      config: (c) => {
        for (const app of c.apps) {
          const secret = app.clients[0]?.secret ?? '';
          // Already open to any IPv4 source (Okta's model without an allow list): nothing to add.
          if (!app.clients.some((x) => x.address === '0.0.0.0/0')) app.clients.push({ name: 'anyone', address: '0.0.0.0/0', secret, requireMessageAuthenticator: true });
        }
      },
    }),
  },
  {
    name: 'status-server-ignored',
    area: 'radius-hygiene',
    description: 'Status-Server (RFC 5997) is not served: it is dropped as an unsupported code.',
    caughtBy: [{ step: /answers with Access-Accept|RADIUS status/, message: /(did not answer|Failed|Creating)/ }],
    inject: () => ({
      front: {
        request: (bytes) =>
          bytes[0] === RadiusCode.StatusServer ? { drop: 'unsupported-code', detail: 'Status-Server is not served' } : { forward: bytes },
      },
    }),
  },

  // ─── decision rules ──────────────────────────────────────────────────────
  {
    name: 'passcode-not-verified',
    area: 'decision-rules',
    description: 'A passcode is accepted without Okta verifying it (the verify answer is not checked).',
    caughtBy: [
      { step: SIGNED_IN_WHEN_REFUSAL_EXPECTED, message: WAS_SIGNED_IN },
      { step: /wrong .*code|not valid|answers with Access-Reject/, message: WAS_SIGNED_IN },
      // No verification at all: a good code signs in with no verify call to Okta.
      { step: /exactly (one|1) Okta verify call/ },
    ],
    inject: () => ({
      okta: (real) => overrideOkta(real, () => ({ verifyPasscode: async () => ({ outcome: 'SUCCESS' }), authnVerifyPasscode: async () => ({ outcome: 'SUCCESS' }) })),
    }),
  },
  {
    name: 'push-not-awaited',
    area: 'decision-rules',
    description: 'A push is accepted as soon as it is sent: the answer on the phone is never awaited (a denied push signs the user in).',
    caughtBy: [{ step: SIGNED_IN_WHEN_REFUSAL_EXPECTED, message: WAS_SIGNED_IN }],
    inject: () => ({
      okta: (real) =>
        overrideOkta(real, (r) => ({
          verifyPush: async (u, f, t, s) => {
            void r.verifyPush(u, f, t, s).catch(() => {});
            return { outcome: 'SUCCESS' };
          },
        })),
    }),
  },
  {
    name: 'keywords-case-sensitive',
    area: 'decision-rules',
    description: 'Keywords are matched case-sensitively: only "PUSH", "SMS", "CALL", "EMAIL" work; "push" or "Sms" is not understood.',
    caughtBy: [
      { step: /a code was sent to (him|her|them) by/ },
      { step: /is signed in|signs in/, message: /(understood|Enter a code)/ },
      { step: /refused with a message containing/, message: /Enter a code/ },
    ],
    inject: () => ({
      front: {
        request: (bytes, secret) => {
          if (secret === undefined || bytes[0] !== RadiusCode.AccessRequest) return { forward: bytes };
          const clear = clearPassword(bytes, secret)?.toString('utf8');
          // What a case-sensitive agent makes of "push": not a keyword, not a code.
          if (clear === undefined || !isKeyword(clear) || clear.trim() === clear.trim().toUpperCase()) return { forward: bytes };
          return { forward: resignRequest(bytes, secret, { password: () => Buffer.from(`not-a-keyword:${clear.length}`) }) ?? bytes };
        },
      },
    }),
  },
  {
    name: 'duo-rule-ignored',
    area: 'decision-rules',
    description: "Duo is treated as a generic token: a Duo-enrolled user is offered push, SMS and calls like anyone else (Okta documents Duo-passcode-only for WorkSpaces).",
    caughtBy: [{ step: /message containing "Duo"/ }],
    inject: () => ({
      okta: (real) =>
        overrideOkta(real, (r) => ({
          listFactors: async (id, s) =>
            (await r.listFactors(id, s)).map((f) => (f.factorType === 'web' && f.provider.toUpperCase() === 'DUO' ? { ...f, factorType: 'token:software:totp' } : f)),
        })),
    }),
  },
  {
    name: 'first-device-only',
    area: 'decision-rules',
    description: 'Only the first enrolment of each factor kind is used: a code from a second phone is refused.',
    caughtBy: [{ step: /is signed in|received 1 push/, message: /(not signed in|passcode-invalid|not valid|pushes?)/i }],
    inject: () => ({ okta: (real) => overrideOkta(real, (r) => ({ listFactors: async (id, s) => firstOfEachKind(await r.listFactors(id, s)) })) }),
  },
  {
    name: 'inactive-factors-used',
    area: 'decision-rules',
    description: 'Factors still pending activation are used as if active.',
    caughtBy: [{ step: SIGNED_IN_WHEN_REFUSAL_EXPECTED, message: WAS_SIGNED_IN }, { step: /no Okta verify call/ }],
    inject: () => ({
      okta: (real) =>
        overrideOkta(real, (r) => ({
          listFactors: async (id, s) => (await r.listFactors(id, s)).map((f) => (f.status === 'PENDING_ACTIVATION' ? { ...f, status: 'ACTIVE' } : f)),
        })),
    }),
  },
  {
    name: 'inactive-users-accepted',
    area: 'decision-rules',
    description: 'The Okta user status is not checked: suspended, locked-out and deprovisioned users go on to MFA.',
    caughtBy: [{ step: /no Okta verify call/ }, { step: SIGNED_IN_WHEN_REFUSAL_EXPECTED, message: WAS_SIGNED_IN }],
    inject: () => ({
      okta: (real) =>
        overrideOkta(real, (r) => ({
          getUser: async (login, s) => {
            const u = await r.getUser(login, s);
            return u ? { ...u, status: 'ACTIVE' } : u;
          },
        })),
    }),
  },
  {
    name: 'assignment-not-checked',
    area: 'decision-rules',
    description: 'App assignment is not checked: a user not assigned to the RADIUS app signs in.',
    caughtBy: [{ step: /no Okta verify call/ }, { step: SIGNED_IN_WHEN_REFUSAL_EXPECTED, message: WAS_SIGNED_IN }],
    inject: () => ({
      config: (c) => {
        for (const app of c.apps) delete app.appId;
      },
    }),
  },
  {
    name: 'username-domain-kept',
    area: 'decision-rules',
    description: 'User names are not normalised: a down-level "CORP\\user" is looked up in Okta as typed, so it is not found.',
    caughtBy: [{ step: /is signed in/, message: /(not signed in|user-not-found|No Okta user)/ }],
    inject: () => ({
      config: (c) => {
        for (const app of c.apps) app.usernameFormat.stripDomain = false;
      },
    }),
  },

  // ─── time-outs and response modes ────────────────────────────────────────
  {
    name: 'push-timeout-ignored',
    area: 'timeouts',
    description: "The push timeout is ignored: the agent waits for the phone until the request's total time runs out, so a late approval still signs in.",
    caughtBy: [{ step: SIGNED_IN_WHEN_REFUSAL_EXPECTED, message: WAS_SIGNED_IN }, { step: /took at most/ }],
    inject: () => ({ okta: (real) => overrideOkta(real, (r) => ({ verifyPush: (u, f, _t, s) => r.verifyPush(u, f, 10 * 60_000, s) })) }),
  },
  {
    name: 'timeout-mode-ignored',
    area: 'timeouts',
    description: 'The configured response mode on time-out is ignored: a timed-out request is always left unanswered.',
    caughtBy: [{ step: /took too long|rejected by the agent|refused with a message/, message: /(did not answer|no answer|not answer|timed? ?out|silence)/i }],
    inject: () => ({
      config: (c) => {
        for (const app of c.apps) app.timeouts.responseModeOnTimeout = 'no-response';
      },
    }),
  },

  // ─── fail-open under Okta faults ─────────────────────────────────────────
  ...(['5xx', '429', 'network'] as const).map(
    (kind): ZooVariant => ({
      name: `fail-open-on-okta-${kind}`,
      area: 'fail-open',
      description: `Fails open: when Okta answers ${kind === '5xx' ? 'with a 5xx error' : kind === '429' ? 'with 429 (rate limit)' : 'nothing (network error)'}, the user is signed in.`,
      caughtBy: [{ step: SIGNED_IN_WHEN_REFUSAL_EXPECTED, message: WAS_SIGNED_IN }],
      inject: () => {
        const faults = new OktaFaultCounter();
        return { fetch: (inner) => faults.wrap(inner), okta: (real) => failOpen(real, faults, kind) };
      },
    }),
  ),
];

/** The zoo's machinery with no defect: every scenario must pass on it. */
export const CONTROL_VARIANT: ZooVariant = {
  name: 'control',
  area: 'none',
  description: 'No defect: the RADIUS front, the Okta wrapper and the fetch wrapper, all passing everything through.',
  caughtBy: [],
  inject: () => {
    const faults = new OktaFaultCounter();
    return {
      fetch: (inner) => faults.wrap(inner),
      okta: (real) => overrideOkta(real, () => ({})),
      front: { request: (bytes) => ({ forward: bytes }), reply: (bytes) => bytes },
    };
  },
};

export function zooVariant(name: string): ZooVariant | undefined {
  return name === CONTROL_VARIANT.name ? CONTROL_VARIANT : ZOO_VARIANTS.find((v) => v.name === name);
}

/** The variant a zoo target names (`zoo:<variant>`); undefined for any other target and for the control, which runs everything. */
export function zooVariantOf(target: string): ZooVariant | undefined {
  const variant = target.startsWith('zoo:') ? zooVariant(target.slice('zoo:'.length)) : undefined;
  return variant === CONTROL_VARIANT ? undefined : variant;
}
