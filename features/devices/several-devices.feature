@area:devices @needs:okta-admin
Feature: Users with several devices, no device, or a device still being set up

  Background:
    Given Frank is a WorkSpaces user

  @needs:okta-mock
  Scenario: A code from either of two phones with Okta Verify signs Frank in
    Given Frank has Okta Verify on 2 phones
    When he signs in to WorkSpaces with the current Okta Verify code of his second phone
    Then he is signed in
    When 1 minute passes
    And he signs in to WorkSpaces with the current Okta Verify code of his first phone
    Then he is signed in

  @needs:okta-mock @needs:push-control @needs:reference-rules
  Scenario: With several Okta Verify devices the push goes to the most recently enrolled one
    Given Frank has Okta Verify on 2 phones
    And Frank's second phone will approve the push after 2 seconds
    When he signs in to WorkSpaces with a push
    Then he is signed in
    And his second phone received 1 push
    And his first phone received 0 pushes

  Scenario: A user with Okta Verify on one phone and Google Authenticator on another
    Given Frank has Okta Verify on his phone
    And Frank has Google Authenticator on a second phone
    When he signs in to WorkSpaces with his current Google Authenticator code
    Then he is signed in

  Scenario: A user with no MFA factor enrolled is refused
    Given Frank has no MFA factor enrolled
    When he signs in to WorkSpaces with "123456" as his MFA code
    Then he is rejected by the agent

  Scenario: A factor still pending activation does not count
    Given Frank has started enrolling Okta Verify but not finished
    When he signs in to WorkSpaces with his current Okta Verify code
    Then he is rejected by the agent

  @needs:okta-mock
  Scenario: Enrolling by scanning the QR code and confirming a code makes the factor usable
    When Frank enrols Google Authenticator by scanning the QR code Okta shows
    And he activates it with the code it shows
    And 1 minute passes
    And he signs in to WorkSpaces with his current Google Authenticator code
    Then he is signed in
