/**
 * Everything the mock answers that Okta's published management document
 * (../shared/contracts/okta-management-openapi.yaml) does not describe. Each is
 * named here, and the contract test checks that exactly these — no more, no
 * fewer — are excluded from schema validation.
 */
export interface Extension {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Why the public document lacks it, and what the mock does. */
  readonly why: string;
}

export const EXTENSIONS = [
  {
    name: 'duo-passcode-verify',
    method: 'POST',
    path: '/api/v1/users/{userId}/factors/{factorId}/verify',
    why:
      'The document lists Duo (factorType web, provider DUO) as a factor but has no verify variant for it; ' +
      'the mock accepts a Duo passcode and checks it with the virtual Duo Mobile app.',
  },
  {
    name: 'duo-push-verify',
    method: 'POST',
    path: '/api/v1/users/{userId}/factors/{factorId}/verify',
    why:
      'Duo verify without a passCode: the mock sends a Duo push to the virtual Duo Mobile app and answers WAITING with a poll link, ' +
      'as for Okta Verify (Okta_Radius_App.htm: Duo push over PAP for RADIUS apps; the document has no Duo verify variant).',
  },
  {
    name: 'duo-sms-verify',
    method: 'POST',
    path: '/api/v1/users/{userId}/factors/{factorId}/verify',
    why:
      'Duo verify with the passCode "sms" (Duo\'s own keyword): the mock sends a Duo passcode by SMS and answers CHALLENGE ' +
      '(Okta_Radius_App.htm: Duo SMS over PAP for RADIUS apps).',
  },
  {
    name: 'authn-primary',
    method: 'POST',
    path: '/api/v1/authn',
    why: "Okta's classic Authentication API is documented apart from the management document (password-first mode).",
  },
  {
    name: 'authn-factor-verify',
    method: 'POST',
    path: '/api/v1/authn/factors/{factorId}/verify',
    why: 'Authentication API factor verify with stateToken (and push poll); not in the management document.',
  },
  {
    name: 'authn-factor-enroll',
    method: 'POST',
    path: '/api/v1/authn/factors',
    why: 'Authentication API inline enrolment (MFA_ENROLL → MFA_ENROLL_ACTIVATE); not in the management document.',
  },
  {
    name: 'authn-factor-activate',
    method: 'POST',
    path: '/api/v1/authn/factors/{factorId}/lifecycle/activate',
    why: 'Authentication API activation of a factor enrolled in the transaction (the code the user received); not in the management document.',
  },
  {
    name: 'assign-app-user-put',
    method: 'PUT',
    path: '/api/v1/apps/{appId}/users/{userId}',
    why:
      'Older Okta API form of assigning a user to an app; the current document has POST /api/v1/apps/{appId}/users ' +
      '(assignUserToApplication), which the mock also serves.',
  },
] as const satisfies readonly Extension[];

export type ExtensionName = (typeof EXTENSIONS)[number]['name'];

export const EXTENSION_NAMES: readonly ExtensionName[] = EXTENSIONS.map((e) => e.name);
