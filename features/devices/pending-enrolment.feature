@area:devices @needs:okta-mock
Feature: A factor still being set up is never tried
  Okta lists a factor whose enrolment was started but not confirmed as
  PENDING_ACTIVATION. The agent must not use it: the sign-in is refused
  without any verify call to Okta (no code checked, no push sent).

  Background:
    Given Frank is a WorkSpaces user
    And Frank has started enrolling Okta Verify but not finished

  Scenario: A code for a factor pending activation is refused without asking Okta
    When he signs in to WorkSpaces with his current Okta Verify code
    Then he is rejected by the agent
    And the agent made no Okta verify call

  Scenario: A push to a factor pending activation is refused without asking Okta
    When he signs in to WorkSpaces with a push
    Then he is rejected by the agent
    And the agent made no Okta verify call
