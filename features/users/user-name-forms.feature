@area:users @needs:okta-mock
Feature: Every form of a Windows user name reaches the same Okta user
  Users type their name as a sAMAccountName, a down-level logon name
  (CORP\grace) or a UPN (grace@corp.example.com). The AD Connector sends it to
  the agent as typed; the agent turns each form into the same Okta login.

  Background:
    Given Grace is a WorkSpaces user
    And Grace has Okta Verify on her phone

  Scenario Outline: Grace signs in typing her user name as <form>
    When she signs in to WorkSpaces as "<username>" with her current Okta Verify code
    Then she is signed in

    Examples:
      | form                    | username               |
      | a down-level logon name | CORP\grace             |
      | her UPN                 | grace@corp.example.com |
