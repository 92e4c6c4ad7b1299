@area:users @needs:okta-mock
Feature: Only active Okta users assigned to the RADIUS app get in

  Background:
    Given Grace is a WorkSpaces user
    And Grace has Okta Verify on her phone

  Scenario: A user not assigned to the WorkSpaces RADIUS app is refused
    Given Grace is not assigned to the WorkSpaces app in Okta
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent
    And the agent made no Okta verify call

  Scenario Outline: A <state> Okta user is refused
    Given Grace's Okta account is <state>
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent
    And the agent made no Okta verify call

    Examples:
      | state         |
      | suspended     |
      | locked out    |
      | deprovisioned |

  Scenario: A user unknown to Okta is refused
    Given Heidi exists only in the directory
    When Heidi signs in to WorkSpaces with "123456" as her MFA code
    Then she is rejected by the agent

  Scenario: Too many wrong codes lock the Okta account, and then even the right code is refused
    Given Okta locks an account after 3 wrong MFA codes
    When she signs in to WorkSpaces with a wrong Okta Verify code 3 times
    Then Grace's Okta account is now locked out
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent
