/** The AD Connector simulator's public surface. */
export { AdConnector, type AdConnectorOptions, type RadiusStatus, type SignInInput, type SignInResult, type StatusReport } from './connector.ts';
export { type FaultDirection, type FaultHandle, type FaultKind, type FaultRule, NetworkFaults } from './faults.ts';
export { MESSAGES, SIGN_IN_REASONS, type SignInReason } from './messages.ts';
export { ldapPasswordChecker, type PasswordChecker, type PasswordCheckResult, staticPasswordChecker } from './password-checker.ts';
export { encodeAccessRequest, encodeStatusServer, verifyReply } from './radius-codec.ts';
export { AUTHENTICATION_PROTOCOLS, type AuthenticationProtocol, LIMITS, type RadiusSettings, validateRadiusSettings } from './settings.ts';
export { type SignInPage, startSignInPage } from './sign-in-page/page-server.ts';
export { startTestResponder, type TestResponder } from './test-responder.ts';
