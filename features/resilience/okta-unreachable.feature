@area:resilience @needs:okta-mock
Feature: When Okta cannot be reached at all, the agent fails closed
  A network error (no HTTP answer: the connection is refused or cut) is not an
  answer from Okta. The agent retries, then refuses the sign-in and says why —
  it never lets the user in because it could not ask (fail open).

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone

  Scenario: Okta out of reach refuses the sign-in with a reason
    Given Okta cannot be reached
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent with a message containing "Okta"
