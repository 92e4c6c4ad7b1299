/**
 * The secret ledger's writer (reports/secret-scan.ts reads it): when
 * RMH_SECRET_LEDGER names a file, each scenario appends every secret it used —
 * shared secrets, the API token, TOTP / Duo seeds, passwords, and the live
 * passcodes it typed or received — so a scan of the run's reports can look for
 * each of them. Reads only what the World already holds, after the scenario;
 * does nothing when the variable is unset.
 *
 * It only reads in-memory state, which hooks.ts's teardown leaves in place, so
 * the order of the two After hooks does not matter.
 */
import { After } from '@cucumber/cucumber';
import { recordSecret } from '../../reports/secret-scan.ts';
import { type LabWorld, SCENARIO_SEED } from './world.ts';

After({ name: 'secret ledger' }, function (this: LabWorld, { pickle }) {
  if (!process.env.RMH_SECRET_LEDGER) return;
  const source = `${pickle.uri}: ${pickle.name}`;
  // A value the scenario's own text spells out (Given Alice's password is "Pass,word-1!") is public
  // by construction: the feature file is in every report. The run must not leak what it made up.
  const written = JSON.stringify(pickle.steps);
  const record = (kind: Parameters<typeof recordSecret>[0], value: string | undefined) => {
    if (value !== undefined && !written.includes(value)) recordSecret(kind, value, source);
  };

  for (const c of this.agentClients) record('shared-secret', c.secret);
  record('shared-secret', this.settings.SharedSecret);
  record('shared-secret', this.agent?.secret);
  record('shared-secret', this.adConnector.rejectedSecret);
  for (const u of SCENARIO_SEED.users) record('password', u.password);

  let lab: LabWorld['lab'] | undefined;
  try {
    lab = this.lab;
  } catch {
    return; // the lab was never built: nothing else was used
  }
  record('api-token', lab.apiToken);
  for (const u of this.people.users.values()) {
    record('password', u.password);
    // The mock's factors (with --okta-org the seeds stay in the org and the phones' apps; the run's token is recorded instead).
    if (u.oktaId && !this.people.remoteOrg) {
      for (const f of this.org.listFactors(u.oktaId)) record('totp-seed', f.secret);
    }
    const received = [...this.network.smsFor(u.login), ...this.network.callsFor(u.login), ...this.network.emailsFor(u.login)];
    for (const m of received) record('passcode', m.code);
  }
  // What people typed as the MFA answer and got in with: a live code. A refused code is not one
  // (a "wrong code" step picks any code the app would not show, e.g. 123456, which
  // appears in step examples); keywords such as PUSH are not secrets.
  for (const s of this.signIns) {
    if (s.result.signedIn && /^\d{4,10}$/.test(s.mfaCode)) record('passcode', s.mfaCode);
  }
});
