@area:users
Feature: The AD Connector checks the password first; RADIUS is asked only for a good one
  The AD Connector checks the user's AD password before it sends anything to
  the RADIUS agent. A bad password or an account AD refuses ends the sign-in
  there, with AD's reason.

  Background:
    Given Grace is a WorkSpaces user
    And Grace has Okta Verify on her phone

  @no-agent
  Scenario: A wrong password is refused before any RADIUS request
    When she signs in to WorkSpaces with the password "not-her-password" and her current Okta Verify code
    Then she is refused at the password check because "wrong password"
    And no RADIUS request was sent

  @no-agent
  Scenario Outline: An AD account that <condition> cannot sign in
    Given Grace's AD account <condition>
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is refused at the password check because "<reason>"
    And no RADIUS request was sent

    Examples:
      | condition                  | reason               |
      | is disabled                | account disabled     |
      | is locked out              | account locked out   |
      | has expired                | account expired      |
      | must change its password   | must change password |
      | has an expired password    | password expired     |

  @needs:okta-mock
  Scenario Outline: Grace can type her user name as <form>
    When she signs in to WorkSpaces as "<username>" with her current Okta Verify code
    Then she is signed in

    Examples:
      | form                   | username                 |
      | her sAMAccountName     | grace                    |
      | upper case             | GRACE                    |
