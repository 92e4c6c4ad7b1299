@area:factors @needs:okta-admin
Feature: Google Authenticator codes sign a user in
  A user enrolled with Google Authenticator types its code in the MFA field.

  Background:
    Given Bob is a WorkSpaces user
    And Bob has Google Authenticator on his phone

  @needs:okta-mock
  Scenario: The current Google Authenticator code signs Bob in
    When he signs in to WorkSpaces with his current Google Authenticator code
    Then he is signed in
    And the agent made exactly one Okta verify call

  Scenario: A wrong Google Authenticator code is refused
    When he signs in to WorkSpaces with a wrong Google Authenticator code
    Then he is rejected by the agent

  @needs:okta-mock
  Scenario: A user with both apps can use either code
    Given Bob has Okta Verify on his phone
    When he signs in to WorkSpaces with his current Okta Verify code
    Then he is signed in
    When 1 minute passes
    And he signs in to WorkSpaces with his current Google Authenticator code
    Then he is signed in
