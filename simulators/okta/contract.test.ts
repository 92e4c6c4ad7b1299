/**
 * Every body the handlers produce on a tour of all endpoints (plus faults and
 * errors) validates against the response schema of its operation in Okta's
 * published document, with no property the schema lacks and none it requires
 * missing. Extensions are excluded by name, and only those.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadOktaContract, OKTA_OPENAPI_URL, type OktaContract } from './contract.ts';
import { EXTENSION_NAMES, EXTENSIONS } from './extensions.ts';
import type { OktaResponseRecord } from './handlers.ts';
import { oktaFetch } from './serve.ts';
import { seededOrg, tourEveryEndpoint } from './test-fixtures.ts';

let contract: OktaContract;
const records: OktaResponseRecord[] = [];

before(async () => {
  contract = loadOktaContract();
  const s = seededOrg();
  const f = oktaFetch(s.org, { observe: (r) => records.push(r) });
  await tourEveryEndpoint(f, s.org.orgUrl, s);
  // Faults and limits answer with Error bodies too.
  const get = () => f(`${s.org.orgUrl}/api/v1/users/${s.alice.id}/factors`, { headers: { authorization: `SSWS ${s.token}` } });
  // The admin calls that take an org apart (OktaAdmin's cleanup): search, unassign, delete twice.
  const admin = (method: string, path: string) => f(`${s.org.orgUrl}${path}`, { method, headers: { authorization: `SSWS ${s.token}` } });
  await admin('GET', `/api/v1/users?search=${encodeURIComponent('profile.login sw "bob"')}`);
  await admin('DELETE', `/api/v1/apps/${s.app.id}/users/${s.alice.id}`);
  await admin('DELETE', `/api/v1/users/${s.bob.id}`);
  await admin('DELETE', `/api/v1/users/${s.bob.id}`);
  s.org.failNextCalls(1, 500);
  await get();
  s.org.setRateLimit({ limit: 0, windowMs: 60_000 });
  await get();
});

describe('contract: Okta management OpenAPI document', () => {
  it('is found in the shared folder beside the repo, parsed once', () => {
    assert.ok(OKTA_OPENAPI_URL.pathname.endsWith('/shared/contracts/okta-management-openapi.yaml'));
    assert.equal(loadOktaContract(), contract, 'cached');
    assert.match(contract.version, /^\d{4}\./);
  });

  it('says clearly where the document should be when it is absent', () => {
    assert.throws(() => loadOktaContract(new URL('file:///nonexistent/okta.yaml')), (e: unknown) => {
      const err = e as { code?: string; message?: string };
      return err.code === 'OKTA_CONTRACT_MISSING' && /shared\/contracts\/okta-management-openapi\.yaml/.test(err.message ?? '');
    });
  });

  it('maps every handler to a real operationId', () => {
    const ops = new Set(records.map((r) => r.operationId).filter((x): x is string => !!x));
    for (const op of ops) assert.ok(contract.hasOperation(op), `${op} is not in the document`);
    for (const op of [
      'getUser',
      'listFactors',
      'verifyFactor',
      'getFactorTransactionStatus',
      'getApplicationUser',
      'createUser',
      'activateUser',
      'suspendUser',
      'unsuspendUser',
      'unlockUser',
      'deactivateUser',
      'enrollFactor',
      'activateFactor',
      'assignUserToApplication',
      'listUsers',
      'unassignUserFromApplication',
      'deleteUser',
    ]) {
      assert.ok(ops.has(op), `the tour did not exercise ${op}`);
      const doc = contract.operation(op)!;
      const rec = records.find((r) => r.operationId === op)!;
      // Same method and path template (parameter names included) as the document.
      assert.equal(`${rec.method} ${rec.path}`, `${doc.method} ${doc.path}`, `${op} path`);
    }
  });

  it('every body validates against its operation and status, with no undefined or missing properties', () => {
    const failures: string[] = [];
    let checked = 0;
    for (const r of records) {
      if (!r.operationId || r.body === undefined) continue;
      const res = contract.check(r.operationId, r.status, r.body);
      checked++;
      if (!res.ok) failures.push(`${r.operationId} ${r.status}: ${res.problems.join('; ')}\n  body: ${JSON.stringify(r.body).slice(0, 300)}`);
    }
    assert.ok(checked >= 30, `only ${checked} bodies checked`);
    assert.deepEqual(failures, []);
  });

  it('statuses the document omits for an operation are Okta Error bodies, and listed here', () => {
    const undocumented = new Set<string>();
    for (const r of records) {
      if (!r.operationId || r.body === undefined) continue;
      if (contract.check(r.operationId, r.status, r.body).undocumentedStatus) undocumented.add(`${r.operationId} ${r.status}`);
    }
    // Okta answers 401 (bad SSWS token), 500 and, for verify, 400 on every endpoint; the document doesn't list them all.
    for (const u of undocumented) assert.match(u, / (400|401|500)$/, `${u} is undocumented`);
  });

  it('the walker catches what Ajv alone would accept', () => {
    const extra = contract.check('verifyFactor', 200, { factorResult: 'SUCCESS', bogus: true });
    assert.equal(extra.ok, false);
    assert.match(extra.problems.join(), /\/bogus is not defined/);
    const wrongProvider = contract.check('listFactors', 200, [{ id: 'x', factorType: 'push', provider: 'GOOGLE', status: 'ACTIVE' }]);
    assert.equal(wrongProvider.ok, false);
  });

  it('extensions: exactly the listed ones are excluded, each exercised, none in the document', () => {
    const excluded = new Set(records.filter((r) => r.extension).map((r) => r.extension));
    assert.deepEqual([...excluded].sort(), [...EXTENSION_NAMES].sort());
    assert.ok(records.every((r) => !!r.operationId !== !!r.extension), 'each answer is either an operation or an extension');
    for (const e of EXTENSIONS) {
      if (e.name === 'duo-passcode-verify' || e.name === 'duo-push-verify' || e.name === 'duo-sms-verify') {
        // The path exists; what the document lacks is a Duo (web) verify variant.
        const op = contract.operation('verifyFactor')!;
        assert.ok(!/duo/i.test(JSON.stringify(op.requestBody)), 'document now has a Duo verify variant: drop the extension');
      } else {
        assert.equal(contract.hasPath(e.method, e.path), false, `${e.method} ${e.path} is in the document now: drop the extension`);
      }
    }
  });
});
