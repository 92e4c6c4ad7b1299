/**
 * OktaAdmin against the in-process mock org: the same operations as the
 * HTTP implementation, as direct calls (no sockets), with Okta's errors
 * turned into the same OKTA_ADMIN_REQUEST_FAILED. Created users are tracked
 * so cleanup() behaves as over HTTP.
 */
import { type AdminCreateUser, type AdminFactor, type AdminUser, type CleanupReport, type OktaAdmin, oktaAdminError, type TotpEnrolment } from './admin-api.ts';
import { isOktaApiError, OktaApiError } from './okta-errors.ts';
import type { OktaOrg } from './org.ts';
import type { FactorRecord, UserRecord } from './types.ts';

export interface LocalOktaAdminOptions {
  /** Prefix every login (default none: scenarios see the logins they wrote). */
  runPrefix?: string;
}

export class LocalOktaAdmin implements OktaAdmin {
  readonly kind = 'in-process' as const;
  readonly org: OktaOrg;
  readonly #prefix: string;
  readonly #created = new Map<string, string>();

  constructor(org: OktaOrg, options: LocalOktaAdminOptions = {}) {
    this.org = org;
    this.#prefix = options.runPrefix ?? '';
  }

  loginFor(login: string): string {
    return `${this.#prefix}${login}`;
  }

  async createUser(input: AdminCreateUser): Promise<AdminUser> {
    const login = this.loginFor(input.login);
    const u = this.#call('createUser', () =>
      this.org.createUser({
        profile: {
          login,
          ...(input.email !== undefined ? { email: input.email } : {}),
          ...(input.firstName !== undefined ? { firstName: input.firstName } : {}),
          ...(input.lastName !== undefined ? { lastName: input.lastName } : {}),
          ...(input.mobilePhone !== undefined ? { mobilePhone: input.mobilePhone } : {}),
        },
        ...(input.password !== undefined ? { password: input.password } : {}),
        activate: input.activate ?? true,
      }),
    );
    this.#created.set(u.id, login);
    return view(u);
  }

  async getUser(idOrLogin: string): Promise<AdminUser | undefined> {
    const u = this.org.getUser(idOrLogin);
    return u ? view(u) : undefined;
  }

  async activateUser(userId: string): Promise<AdminUser> {
    return view(this.#call('activateUser', () => this.org.activateUser(userId)));
  }

  async suspendUser(userId: string): Promise<AdminUser> {
    return view(this.#call('suspendUser', () => this.org.suspendUser(userId)));
  }

  async unsuspendUser(userId: string): Promise<AdminUser> {
    return view(this.#call('unsuspendUser', () => this.org.unsuspendUser(userId)));
  }

  async deactivateUser(userId: string): Promise<AdminUser> {
    return view(this.#call('deactivateUser', () => this.org.deactivateUser(userId)));
  }

  async unlockUser(userId: string): Promise<AdminUser> {
    return view(this.#call('unlockUser', () => this.org.unlockUser(userId)));
  }

  async expirePassword(userId: string): Promise<AdminUser> {
    return view(this.#call('expirePassword', () => this.org.expirePassword(userId)));
  }

  async setPassword(userId: string, password: string): Promise<AdminUser> {
    const id = this.#call('updateUser', () => this.org.requireUser(userId)).id;
    this.#call('updateUser', () => this.org.setPassword(id, password));
    return view(this.org.requireUser(id));
  }

  async deleteUser(userId: string): Promise<void> {
    const id = this.#call('deleteUser', () => this.org.requireUser(userId)).id;
    if (!this.#call('deleteUser', () => this.org.deleteUser(id))) this.#call('deleteUser', () => this.org.deleteUser(id));
    this.#created.delete(id);
  }

  async assignToApp(appId: string, userId: string): Promise<void> {
    this.#call('assignUserToApplication', () => this.org.assignUserToApp(appId, userId));
  }

  async unassignFromApp(appId: string, userId: string): Promise<void> {
    this.#call('unassignUserFromApplication', () => {
      this.org.requireApp(appId);
      // The 404 Okta gives for an app user that does not exist.
      if (!this.org.isAssigned(appId, userId)) throw new OktaApiError('E0000007', [], `Not found: Resource not found: ${userId} (AppUser)`);
      this.org.unassignUserFromApp(appId, userId);
    });
  }

  async isAssigned(appId: string, userId: string): Promise<boolean> {
    return this.org.isAssigned(appId, userId);
  }

  async enrollTotp(userId: string, provider: 'OKTA' | 'GOOGLE'): Promise<TotpEnrolment> {
    const r = this.#call('enrollFactor', () => this.org.enrollFactor(userId, { factorType: 'token:software:totp', provider }));
    return { factorId: r.factor.id, sharedSecret: r.activation!.sharedSecret, status: r.factor.status };
  }

  async activateFactor(userId: string, factorId: string, passCode: string): Promise<AdminFactor> {
    return factorView(this.#call('activateFactor', () => this.org.activateFactor(userId, factorId, passCode)));
  }

  async listFactors(userId: string): Promise<AdminFactor[]> {
    return this.#call('listFactors', () => this.org.listFactors(userId)).map(factorView);
  }

  async cleanup(): Promise<CleanupReport> {
    const report: CleanupReport = { deleted: [], failed: [] };
    for (const [id, login] of [...this.#created]) {
      try {
        if (this.org.getUser(id)) await this.deleteUser(id);
        this.#created.delete(id);
        report.deleted.push(login);
      } catch (e) {
        report.failed.push({ login, reason: (e as Error).message });
      }
    }
    return report;
  }

  #call<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isOktaApiError(e)) {
        throw oktaAdminError(operation, e.status, { errorCode: e.errorCode, errorSummary: e.errorSummary, errorCauses: e.errorCauses });
      }
      throw e;
    }
  }
}

function view(u: UserRecord): AdminUser {
  return { id: u.id, login: u.profile.login, status: u.status };
}

function factorView(f: FactorRecord): AdminFactor {
  return { id: f.id, factorType: f.factorType, provider: f.provider, status: f.status };
}
