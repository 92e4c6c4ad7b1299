/**
 * apps[].inlineEnrollment: the RADIUS app's inline enrolment box (Okta_Radius_App-gen-config-app.htm,
 * "To permit inline enrollment, check the box"), cleared by default.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from './config.ts';
import { isCodedError } from './errors.ts';

const okta = { orgUrl: 'https://example.okta.com', apiToken: 'tok' };
const app = (extra: Record<string, unknown>) => ({ okta, apps: [{ name: 'vpn', secret: 's3cret-1', ...extra }] });

describe('config: inlineEnrollment', () => {
  it('is false unless set (the box starts cleared), true when set', () => {
    assert.equal(validateConfig(app({}), {}).apps[0]!.inlineEnrollment, false);
    assert.equal(validateConfig(app({ mode: 'password-first', inlineEnrollment: true }), {}).apps[0]!.inlineEnrollment, true);
  });

  it('anything but true / false is CONFIG_INVALID naming the key', () => {
    assert.throws(
      () => validateConfig(app({ inlineEnrollment: 'yes' }), {}),
      (e: unknown) => isCodedError(e, 'CONFIG_INVALID') && /inlineEnrollment must be true or false/.test(e.message),
    );
  });
});
