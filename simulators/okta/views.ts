/**
 * Okta-shaped JSON bodies from org records. Only properties Okta's schemas
 * define (the contract test walks every body); secrets are left out except the
 * enrolment activation, which Okta itself returns once.
 */
import type { EnrollFactorResult, FactorRecord, GroupRecord, PushTransaction, UserRecord } from './types.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

function href(url: string, extra: JsonObject = {}): JsonObject {
  return { href: url, ...extra };
}

export function userView(base: string, u: UserRecord): JsonObject {
  const self = `${base}/api/v1/users/${u.id}`;
  const links: JsonObject = { self: href(self) };
  if (u.status === 'ACTIVE') {
    links.suspend = href(`${self}/lifecycle/suspend`, { hints: { allow: ['POST'] } });
    links.deactivate = href(`${self}/lifecycle/deactivate`, { hints: { allow: ['POST'] } });
  }
  if (u.status === 'SUSPENDED') links.unsuspend = href(`${self}/lifecycle/unsuspend`, { hints: { allow: ['POST'] } });
  if (u.status === 'LOCKED_OUT') links.unlock = href(`${self}/lifecycle/unlock`, { hints: { allow: ['POST'] } });
  if (u.status === 'STAGED' || u.status === 'PROVISIONED' || u.status === 'DEPROVISIONED') {
    links.activate = href(`${self}/lifecycle/activate`, { hints: { allow: ['POST'] } });
  }
  return {
    id: u.id,
    status: u.status,
    created: iso(u.created),
    activated: isoOrNull(u.activated),
    statusChanged: isoOrNull(u.statusChanged),
    lastLogin: isoOrNull(u.lastLogin),
    lastUpdated: iso(u.lastUpdated),
    passwordChanged: isoOrNull(u.passwordChanged),
    type: { id: 'oty1mock0000000000000' },
    profile: {
      firstName: u.profile.firstName,
      lastName: u.profile.lastName,
      mobilePhone: u.profile.mobilePhone ?? null,
      email: u.profile.email,
      login: u.profile.login,
    },
    credentials: {
      provider: { type: 'OKTA', name: 'OKTA' },
    },
    _links: links,
  };
}

function factorProfile(f: FactorRecord, login: string): JsonObject {
  switch (f.factorType) {
    case 'token:software:totp':
      return { credentialId: login };
    case 'push':
      // Okta shows the device in profile.name; the deviceId distinguishes several Okta Verify enrolments.
      return { credentialId: login, deviceType: 'SmartPhone_IPhone', name: f.deviceId ?? f.id, platform: 'IOS', version: '17.0' };
    case 'sms':
      return { phoneNumber: f.phoneNumber ?? '' };
    case 'call':
      return { phoneNumber: f.phoneNumber ?? '', phoneExtension: null };
    case 'email':
      return { email: f.email ?? '' };
    case 'web':
      return { credentialId: login };
  }
}

export function factorView(base: string, f: FactorRecord, login: string): JsonObject {
  const self = `${base}/api/v1/users/${f.userId}/factors/${f.id}`;
  const links: JsonObject = { self: href(self, { hints: { allow: ['GET', 'DELETE'] } }) };
  if (f.status === 'ACTIVE') links.verify = href(`${self}/verify`, { hints: { allow: ['POST'] } });
  if (f.status === 'PENDING_ACTIVATION') links.activate = href(`${self}/lifecycle/activate`, { hints: { allow: ['POST'] } });
  links.user = href(`${base}/api/v1/users/${f.userId}`, { hints: { allow: ['GET'] } });
  return {
    id: f.id,
    factorType: f.factorType,
    provider: f.provider,
    vendorName: f.provider,
    status: f.status,
    created: iso(f.created),
    lastUpdated: iso(f.lastUpdated),
    profile: factorProfile(f, login),
    _links: links,
  };
}

/** Enrolment answer: the factor, plus the activation (shared secret / otpauth URI) for TOTP and Okta Verify. */
export function enrolledFactorView(base: string, r: EnrollFactorResult, login: string): JsonObject {
  const body = factorView(base, r.factor, login);
  if (r.activation) {
    body._embedded = {
      activation: {
        timeStep: r.activation.timeStep,
        sharedSecret: r.activation.sharedSecret,
        encoding: r.activation.encoding,
        keyLength: r.activation.keyLength,
        _links: { qrcode: { href: r.activation.otpauthUri, type: 'text/uri-list' } },
      },
    };
  }
  return body;
}

export function pushWaitingView(base: string, tx: PushTransaction): JsonObject {
  const poll = `${base}/api/v1/users/${tx.userId}/factors/${tx.factorId}/transactions/${tx.id}`;
  return {
    factorResult: 'WAITING',
    expiresAt: iso(tx.expiresAt),
    _links: {
      poll: href(poll, { hints: { allow: ['GET'] } }),
      cancel: href(poll, { hints: { allow: ['DELETE'] } }),
    },
  };
}

export function pushTransactionView(base: string, tx: PushTransaction, login: string): JsonObject {
  const txUrl = `${base}/api/v1/users/${tx.userId}/factors/${tx.factorId}/transactions/${tx.id}`;
  const factorUrl = `${base}/api/v1/users/${tx.userId}/factors/${tx.factorId}`;
  switch (tx.status) {
    case 'WAITING':
      return {
        factorResult: 'WAITING',
        profile: { credentialId: login },
        _links: { poll: href(txUrl, { hints: { allow: ['GET'] } }), cancel: href(txUrl, { hints: { allow: ['DELETE'] } }) },
      };
    case 'SUCCESS':
      return { factorResult: 'SUCCESS' };
    case 'REJECTED':
    case 'TIMEOUT':
      return {
        factorResult: tx.status,
        profile: { credentialId: login },
        // The document types `_links.factor` here as a whole UserFactor (its example shows a link);
        // the mock sends only `verify`, which both agree on.
        _links: { verify: href(`${factorUrl}/verify`, { hints: { allow: ['POST'] } }) },
      };
  }
}

/** A Group as GET /api/v1/users/{id}/groups lists it (Okta's Group schema). */
export function groupView(base: string, g: GroupRecord): JsonObject {
  return {
    id: g.id,
    created: iso(g.created),
    lastUpdated: iso(g.created),
    lastMembershipUpdated: iso(g.created),
    objectClass: ['okta:user_group'],
    type: 'OKTA_GROUP',
    profile: { name: g.name, description: g.description },
    _links: { users: { href: `${base}/api/v1/groups/${g.id}/users` } },
  };
}

export function appUserView(base: string, appId: string, u: UserRecord, assignedAt: number): JsonObject {
  return {
    id: u.id,
    externalId: '',
    created: iso(assignedAt),
    lastUpdated: iso(assignedAt),
    scope: 'USER',
    status: 'ACTIVE',
    statusChanged: iso(assignedAt),
    passwordChanged: null,
    syncState: 'DISABLED',
    credentials: { userName: u.profile.login },
    profile: {},
    _links: {
      app: { href: `${base}/api/v1/apps/${appId}` },
      user: { href: `${base}/api/v1/users/${u.id}` },
    },
  };
}

/** 200 CHALLENGE for sms / call / email: the code is on its way. */
export function challengeView(base: string, f: FactorRecord, expiresAt: number): JsonObject {
  const factorUrl = `${base}/api/v1/users/${f.userId}/factors/${f.id}`;
  return {
    factorResult: 'CHALLENGE',
    expiresAt: iso(expiresAt),
    _links: {
      verify: href(`${factorUrl}/verify`, { hints: { allow: ['POST'] } }),
      factor: href(factorUrl, { hints: { allow: ['GET', 'DELETE'] } }),
    },
  };
}

export function errorBody(errorCode: string, errorSummary: string, errorId: string, causes: { errorSummary: string }[] = []): JsonObject {
  return { errorCode, errorSummary, errorLink: errorCode, errorId, errorCauses: causes };
}
