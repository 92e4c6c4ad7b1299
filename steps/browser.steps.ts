// The WorkSpaces-like sign-in page in headless Chromium (playwright-core, Debian's /usr/bin/chromium).
// The page's server signs in through the scenario's AD Connector; each sign-in
// it makes is driven on the lab clock like any other (see simulators/lab/driver.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { After, AfterAll } from '@cucumber/cucumber';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSignInPage } from '../simulators/ad-connector/index.ts';
import { fillSignIn, launchChromium } from '../simulators/ad-connector/sign-in-page/browser.ts';
import { codeFrom, wrongCode } from './sign-in.steps.ts';
import { stepsFor } from './support/catalogue.ts';
import type { AppName, Person } from './support/parameters.ts';
import type { LabWorld } from './support/world.ts';

const { When, Then } = stepsFor<LabWorld>('browser');

let browserPromise: Promise<Browser> | undefined;

AfterAll(async () => {
  if (browserPromise) await (await browserPromise).close();
});

/** The scenario's browser context and page, kept open (and traced) until the scenario ends, so a failure at any step can be shown. */
interface BrowserSession {
  context: BrowserContext;
  page: Page;
  closeServer: () => Promise<void>;
}
const sessions = new WeakMap<LabWorld, BrowserSession>();

/**
 * After a browser scenario: when it failed, a full-page screenshot and the
 * Playwright trace (open with `npx playwright show-trace <file>`) are attached
 * to it (the HTML report and the message stream carry both); then the page and
 * its server close.
 */
After({ name: 'browser screenshot and trace on failure' }, async function (this: LabWorld, { result, pickle }) {
  const session = sessions.get(this);
  if (!session) return;
  sessions.delete(this);
  const dir = mkdtempSync(join(tmpdir(), 'rmh-browser-'));
  try {
    if (result?.status === 'FAILED') {
      const shot = await session.page.screenshot({ fullPage: true }).catch(() => undefined);
      if (shot) this.attach(shot, { mediaType: 'image/png', fileName: 'sign-in-page.png' });
      const trace = join(dir, 'trace.zip');
      await session.context.tracing.stop({ path: trace });
      this.attach(readFileSync(trace), { mediaType: 'application/zip', fileName: `${pickle.name.replace(/[^A-Za-z0-9]+/g, '-')}.playwright-trace.zip` });
    } else {
      await session.context.tracing.stop();
    }
  } finally {
    await session.context.close();
    await session.closeServer();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function signInOnPage(world: LabWorld, person: Person, mfaCode: string): Promise<void> {
  await world.ready();
  const u = world.user(person);
  const connector = world.connector!;
  let session = sessions.get(world);
  if (!session) {
    const server = await startSignInPage({ connector: { signIn: (input) => world.drive(connector.signIn(input), { what: 'the page sign-in' }) } });
    browserPromise ??= launchChromium();
    const context = await (await browserPromise).newContext();
    await context.tracing.start({ screenshots: true, snapshots: true });
    const page = await context.newPage();
    await page.goto(server.url);
    session = { context, page, closeServer: () => server.close() };
    sessions.set(world, session);
  } else {
    await session.page.reload();
  }
  const p = session.page;
  await fillSignIn(p, u.samAccountName, u.password, mfaCode);
  await Promise.race([
    p.getByRole('heading', { name: 'Your WorkSpace' }).waitFor({ timeout: 30_000 }),
    p.locator('#error:not(:empty)').waitFor({ timeout: 30_000 }),
  ]);
  const welcome = await p.getByRole('heading', { name: 'Your WorkSpace' }).isVisible();
  world.pageOutcome = { person, signedIn: welcome, error: (await p.locator('#error').textContent())?.trim() ?? '' };
}

When(
  '{user} signs in on the sign-in page with {whose} current {factor}',
  {
    description: 'Fills in the sign-in page (user name, password, MFA code) in a browser with the code the app shows now, and presses Sign In.',
    example: 'When she signs in on the sign-in page with her current Okta Verify code',
  },
  async function (this: LabWorld, person: Person, whose: Person, app: AppName) {
    await signInOnPage(this, person, codeFrom(this, whose, app));
  },
);

When(
  '{user} signs in on the sign-in page with {string} as {whose} MFA code',
  {
    description: 'Fills in the sign-in page with this text as MFA code (e.g. "push") and presses Sign In.',
    example: 'When she signs in on the sign-in page with "push" as her MFA code',
  },
  async function (this: LabWorld, person: Person, text: string, whose: Person) {
    if (whose !== person) throw new Error(`${person} types into ${person}'s own MFA field, not ${whose}'s: write "as her / his MFA code".`);
    await signInOnPage(this, person, text);
  },
);

When(
  '{user} signs in on the sign-in page with a wrong {factor}',
  {
    description: 'Fills in the sign-in page with a code the app would not show around now.',
    example: 'When she signs in on the sign-in page with a wrong Okta Verify code',
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await signInOnPage(this, person, wrongCode(this, person, app));
  },
);

Then(
  'the page says {user} is {pageOutcome}',
  {
    description: "After the person's page sign-in: \"signed in\" shows the WorkSpace; \"refused\" shows an error.",
    example: 'Then the page says she is signed in',
  },
  function (this: LabWorld, person: Person, outcome: 'signed-in' | 'refused') {
    assert.ok(this.pageOutcome, 'no sign-in on the page yet');
    assert.equal(this.pageOutcome.person, person, `the last page sign-in was ${this.pageOutcome.person}'s, not ${person}'s`);
    assert.equal(this.pageOutcome.signedIn, outcome === 'signed-in', `${person}: page shows "${this.pageOutcome.error}"`);
  },
);

Then(
  'the page shows an error',
  {
    description: 'After the page sign-in, the page shows an error message and no WorkSpace.',
    example: 'Then the page shows an error',
  },
  function (this: LabWorld) {
    assert.ok(this.pageOutcome, 'no sign-in on the page yet');
    assert.equal(this.pageOutcome.signedIn, false);
    assert.ok(this.pageOutcome.error.length > 0, 'no error shown');
  },
);
