/**
 * Debian's Chromium for the sign-in page, through playwright-core: no browser
 * download ever (the machines have no route to one). One place for the launch
 * flags, the "not installed" rule and the screenshot-on-failure habit, shared
 * by the page tests and the browser scenarios.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CodedError } from '../../../agent/src/errors.ts';

export const CHROMIUM = process.env.RMH_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags that keep headless Chromium off the network it cannot reach here (its
 * background connections are refused, many at a time) and usable as root.
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why browser tests can't run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `Chromium is not at ${CHROMIUM}: apt-get install chromium (or set RMH_CHROMIUM)`;
}

export async function launchChromium(): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing) throw new CodedError('CHROMIUM_MISSING', missing);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * Opens `url` in a fresh context and runs `body`; on failure keeps a full-page
 * screenshot as `<dir>/<name>.png` before rethrowing.
 */
export async function withPage(browser: Browser, url: string, screenshot: { dir: URL; name: string }, body: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(url);
    await body(page);
  } catch (e) {
    mkdirSync(screenshot.dir, { recursive: true });
    await page.screenshot({ path: new URL(`${screenshot.name}.png`, screenshot.dir).pathname, fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await context.close();
  }
}

/** Types the three fields the way a WorkSpaces user does and presses Sign In. */
export async function fillSignIn(page: Page, username: string, password: string, mfaCode: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('MFA code').fill(mfaCode);
  await page.getByRole('button', { name: 'Sign In' }).click();
}
