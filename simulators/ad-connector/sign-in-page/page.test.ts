/**
 * The sign-in page in headless Chromium (Debian's /usr/bin/chromium; no browser
 * download). A trivial in-test RADIUS responder stands in for the agent and a
 * static table for the directory; full-stack page scenarios live in features/.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateSecret, generateSync, verifySync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { VirtualClock } from '../../clock/virtual-clock.ts';
import { AdConnector } from '../connector.ts';
import { staticPasswordChecker } from '../password-checker.ts';
import { drive } from '../../lab/driver.ts';
import { connectorProbe } from '../test-support.ts';
import { startTestResponder, type TestResponder } from '../test-responder.ts';
import { chromiumMissing, fillSignIn, launchChromium, withPage } from './browser.ts';
import { type SignInPage, startSignInPage } from './page-server.ts';

const SECRET = 'page-test-secret';
const SCREENSHOTS = new URL('../../../reports/out/screenshots/', import.meta.url);

const clock = new VirtualClock();
const totpSecret = generateSecret();
/** The phone: holds the approval of a pending push. */
const phone: { approve?: () => void } = {};
let responder: TestResponder;
let connector: AdConnector;
let page: SignInPage;
let browser: Browser | undefined;

before(async () => {
  responder = await startTestResponder({
    secret: SECRET,
    handler: async (r) => {
      if (r.password?.toLowerCase() === 'push') {
        // The phone: the answer waits until the test approves the push.
        await new Promise<void>((resolve) => {
          phone.approve = resolve;
        });
        return { code: 'Access-Accept' };
      }
      const epoch = Math.floor(clock.now() / 1000);
      const ok = /^\d{6}$/.test(r.password ?? '') && verifySync({ secret: totpSecret, token: r.password!, epoch }).valid;
      return ok ? { code: 'Access-Accept' } : { code: 'Access-Reject', replyMessage: 'Invalid passcode' };
    },
  });
  connector = await AdConnector.create({ clock, passwordChecker: staticPasswordChecker({ alice: 'Passw0rd!' }) });
  connector.enableRadius({
    RadiusServers: ['127.0.0.1'],
    RadiusPort: responder.port,
    RadiusTimeout: 30,
    RadiusRetries: 0,
    SharedSecret: SECRET,
    AuthenticationProtocol: 'PAP',
  });
  await drive(connector.whenStatusSettled(), connectorProbe(clock, connector));
  page = await startSignInPage({ connector });
  // Without Chromium the browser tests skip, except in CI, where they must run.
  if (!chromiumMissing() || process.env.CI === 'true') browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await page?.close();
  await connector?.close();
  await responder?.close();
});

/** Run a browser test; on failure keep a screenshot under reports/out/screenshots. */
async function inBrowser(name: string, t: { skip(reason: string): void }, body: (p: Page) => Promise<void>): Promise<void> {
  if (!browser) {
    t.skip(chromiumMissing() ?? 'no browser');
    return;
  }
  await withPage(browser, page.url, { dir: SCREENSHOTS, name }, body);
}


test('signs in with a TOTP code', async (t) => {
  await inBrowser('sign-in-totp', t, async (p) => {
    const code = generateSync({ secret: totpSecret, epoch: Math.floor(clock.now() / 1000) });
    await fillSignIn(p, 'alice', 'Passw0rd!', code);
    await p.getByRole('heading', { name: 'Your WorkSpace' }).waitFor({ timeout: 10_000 });
    assert.match((await p.locator('#welcome-message').textContent()) ?? '', /You are signed in/);
  });
});

test('signs in with push: waits for the phone, then in', async (t) => {
  await inBrowser('sign-in-push', t, async (p) => {
    delete phone.approve;
    await fillSignIn(p, 'alice', 'Passw0rd!', 'push');
    await p.getByRole('status').getByText('Waiting for your phone').waitFor({ timeout: 10_000 });
    // Bounded wait for the request to reach the phone, then approve it.
    // (read through a function: the callback that sets it is invisible to TS's narrowing)
    const pending = (): (() => void) | undefined => phone.approve;
    for (let i = 0; i < 200 && !pending(); i++) await new Promise((r) => setTimeout(r, 10));
    const approve = pending();
    assert.ok(approve, 'the push request reached the phone');
    approve();
    await p.getByRole('heading', { name: 'Your WorkSpace' }).waitFor({ timeout: 10_000 });
  });
});

test('a wrong code shows the failure message and keeps the form', async (t) => {
  await inBrowser('sign-in-wrong-code', t, async (p) => {
    await fillSignIn(p, 'alice', 'Passw0rd!', '000000');
    await p.getByRole('alert').getByText('Multi-factor authentication failed').waitFor({ timeout: 10_000 });
    assert.equal(await p.getByLabel('MFA code').inputValue(), '');
  });
});

test('a wrong password shows the directory failure', async (t) => {
  await inBrowser('sign-in-wrong-password', t, async (p) => {
    await fillSignIn(p, 'alice', 'wrong', '123456');
    await p.getByRole('alert').getByText('The username or password is incorrect').waitFor({ timeout: 10_000 });
  });
});
