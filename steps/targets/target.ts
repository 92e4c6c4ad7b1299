/**
 * A target is the agent under test. A scenario never changes for a target: the
 * target declares what it can do (capabilities) and how to reach it. Scenarios
 * state their needs with `@needs:<capability>` tags; a scenario whose needs a
 * target lacks is reported "not applicable, because …".
 */
export type Capability =
  | 'okta-mock' // the agent talks to the lab's mock Okta org (so the suite controls users and factors)
  | 'push-control' // the suite can approve / deny / ignore pushes
  | 'clock-control' // the agent runs on the lab's virtual clock (push timeouts etc. can be moved)
  | 'primary-auth' // password-first mode with Access-Challenge
  | 'message-authenticator' // verifies and sends Message-Authenticator (BlastRADIUS)
  | 'proxy-state' // copies Proxy-State in order
  | 'duplicate-cache' // RFC 5080 duplicate detection
  | 'status-server' // answers Status-Server (RFC 5997)
  | 'chap-reject-reason' // rejects CHAP / MS-CHAP with a Reply-Message
  | 'metrics' // exposes the reference agent's metrics (drop counters)
  | 'reference-rules'; // behaviours the reference agent defines where Okta's docs are silent

export interface TargetProfile {
  /** e.g. 'embedded', 'process', 'container', 'freeradius', 'external:my-agent'. */
  name: string;
  description: string;
  capabilities: ReadonlySet<Capability>;
}

/** Where a started agent listens and with which secret(s). */
export interface AgentEndpoint {
  host: string;
  port: number;
}

/** Why a target could not be used at all (e.g. no container runtime). */
export class TargetUnavailable extends Error {
  readonly code = 'TARGET_UNAVAILABLE';
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TargetUnavailable';
  }
}
