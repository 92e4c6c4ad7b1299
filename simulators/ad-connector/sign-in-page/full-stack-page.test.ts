/**
 * The sign-in page, full stack, in headless Chromium (Debian's /usr/bin/chromium,
 * no browser download): page → AD Connector (LDAP password check, RADIUS over
 * real UDP) → reference agent → mock Okta → the user's phone. The page's
 * sign-ins are driven on the lab's virtual clock (the page server calls a
 * connector whose signIn is `stack.drive(connector.signIn(…))`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { SignInInput } from '../connector.ts';
import { type FullStack, PEOPLE, startFullStack } from '../full-stack-fixture.ts';
import { until } from '../test-support.ts';
import { chromiumMissing, fillSignIn, launchChromium, withPage } from './browser.ts';
import { type SignInPage, startSignInPage } from './page-server.ts';

const SCREENSHOTS = new URL('../../../reports/out/screenshots/', import.meta.url);
const UI_TIMEOUT_MS = 15_000;
/** Every test is bounded (Playwright waits are, too). */
const BOUND = { timeout: 60_000 };

let stack: FullStack;
let page: SignInPage;
let browser: Browser | undefined;

before(async () => {
  stack = await startFullStack();
  assert.equal(stack.status?.status, 'Completed', stack.status?.reasons.join('; '));
  // Whatever the browser asks for is driven on the lab clock.
  page = await startSignInPage({ connector: { signIn: (input: SignInInput) => stack.drive(stack.connector.signIn(input), { what: 'the page sign-in' }) } });
  // Without Chromium the browser tests skip, except in CI, where they must run.
  if (!chromiumMissing() || process.env.CI === 'true') browser = await launchChromium();
}, BOUND);

after(async () => {
  await browser?.close();
  await page?.close();
  await stack?.close();
}, BOUND);

/** Run a browser test; on failure keep a screenshot under reports/out/screenshots. */
async function inBrowser(name: string, t: { skip(reason: string): void }, body: (p: Page) => Promise<void>): Promise<void> {
  if (!browser) {
    t.skip(chromiumMissing() ?? 'no browser');
    return;
  }
  await withPage(browser, page.url, { dir: SCREENSHOTS, name }, body);
}


test('full stack: signs in with an Okta Verify TOTP code', BOUND, async (t) => {
  await inBrowser('full-stack-totp', t, async (p) => {
    const before = stack.agents[0]!.events.filter((e) => e.direction === 'received').length;
    await fillSignIn(p, 'alice', PEOPLE.alice.password, stack.totp('alice'));
    await p.getByRole('heading', { name: 'Your WorkSpace' }).waitFor({ timeout: UI_TIMEOUT_MS });
    assert.match((await p.locator('#welcome-message').textContent()) ?? '', /You are signed in/);
    assert.equal(stack.agents[0]!.events.filter((e) => e.direction === 'received').length, before + 1, 'one Access-Request reached the agent');
  });
});

test('full stack: signs in with push — waits for the phone, the user approves, in', BOUND, async (t) => {
  await inBrowser('full-stack-push', t, async (p) => {
    stack.phones.pushAnswer = 'hold'; // the push stays on the phone until this test approves it
    try {
      const pushes = stack.phones.pushes.length;
      await fillSignIn(p, 'alice', PEOPLE.alice.password, 'push');
      await p.getByRole('status').getByText('Waiting for your phone').waitFor({ timeout: UI_TIMEOUT_MS });
      await until(() => stack.phones.held.length === 1, 'the push to reach the phone', 2_000);
      assert.equal(stack.phones.pushes.length, pushes + 1);
      assert.equal(stack.phones.held[0]?.login, stack.login('alice'));
      stack.phones.answerHeld('APPROVE');
      await p.getByRole('heading', { name: 'Your WorkSpace' }).waitFor({ timeout: UI_TIMEOUT_MS });
    } finally {
      stack.phones.pushAnswer = 'APPROVE';
    }
  });
});

test('full stack: a wrong MFA code shows the failure message', BOUND, async (t) => {
  await inBrowser('full-stack-wrong-code', t, async (p) => {
    const wrong = stack.totp('alice') === '000000' ? '111111' : '000000';
    await fillSignIn(p, 'alice', PEOPLE.alice.password, wrong);
    await p.getByRole('alert').getByText('Multi-factor authentication failed').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await p.getByRole('heading', { name: 'Your WorkSpace' }).count(), 0, 'not signed in');
    assert.equal(stack.agents[0]!.events.at(-1)?.direction, 'sent', 'the agent answered (Access-Reject)');
  });
});

test('full stack: a wrong password shows the directory’s message and sends no RADIUS', BOUND, async (t) => {
  await inBrowser('full-stack-wrong-password', t, async (p) => {
    const before = stack.connectorEvents.length;
    await fillSignIn(p, 'alice', 'not-her-password', stack.totp('alice'));
    await p.getByRole('alert').getByText('The username or password is incorrect').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(stack.connectorEvents.length, before);
  });
});
