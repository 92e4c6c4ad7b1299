@area:duo @needs:okta-mock
Feature: Duo users sign in with Duo passcodes only
  A user enrolled with Duo (Okta's Duo factor) types a passcode from Duo
  Mobile. The agent does not offer Duo push, SMS or calls over RADIUS: those
  keywords are refused with a reason.

  Background:
    Given Erin is a WorkSpaces user
    And Erin has Duo Mobile on her phone

  Scenario: A Duo passcode signs Erin in
    When she signs in to WorkSpaces with her current Duo passcode
    Then she is signed in

  Scenario: A wrong Duo passcode is refused
    When she signs in to WorkSpaces with a wrong Duo passcode
    Then she is rejected by the agent

  Scenario: A Duo passcode works only once
    When she signs in to WorkSpaces with her current Duo passcode
    Then she is signed in
    When she signs in again with the same code
    Then she is rejected by the agent

  @needs:reference-rules
  Scenario Outline: A Duo user typing "<keyword>" is refused with the reason
    When she signs in to WorkSpaces with "<keyword>" as her MFA code
    Then she is rejected by the agent with a message containing "Duo"

    Examples:
      | keyword |
      | push    |
      | sms     |
      | call    |
      | PUSH    |
