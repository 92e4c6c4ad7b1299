@area:users @needs:okta-admin
Feature: Only active Okta users assigned to the RADIUS app get in
  The account's state and its assignment are set through Okta's Management API
  (suspend, unsuspend, unlock, deactivate, unassign), so the scenarios without @needs:okta-mock also
  run against a real test org (run --okta-org). Locking an account and counting
  the agent's Okta calls need the lab's mock.

  Background:
    Given Grace is a WorkSpaces user
    And Grace has Okta Verify on her phone

  @needs:okta-mock
  Scenario: A user not assigned to the WorkSpaces RADIUS app is refused
    Given Grace is not assigned to the WorkSpaces app in Okta
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent
    And the agent made no Okta verify call

  @needs:okta-mock
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

  Scenario: Unassigned from the RADIUS app, her right code is refused
    Given Grace is not assigned to the WorkSpaces app in Okta
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent

  Scenario Outline: With her Okta account <state>, her right code is refused
    Given Grace's Okta account is <state>
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent
    And Grace's Okta account is now <state>

    Examples:
      | state         |
      | suspended     |
      | deprovisioned |

  Scenario: Unsuspended again by an Okta admin, she signs in
    Given Grace's Okta account is suspended
    When an Okta admin reactivates Grace's account
    And she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
    And Grace's Okta account is now active

  Scenario: A user unknown to Okta is refused
    Given Heidi exists only in the directory
    When Heidi signs in to WorkSpaces with "123456" as her MFA code
    Then she is rejected by the agent

  @needs:okta-mock
  Scenario: Too many wrong codes lock the Okta account, and then even the right code is refused
    Given Okta locks an account after 3 wrong MFA codes
    When she signs in to WorkSpaces with a wrong Okta Verify code 3 times
    Then Grace's Okta account is now locked out
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent

  @needs:okta-mock
  Scenario: Unlocked by an Okta admin after too many wrong codes, she signs in with the right code
    Given Okta locks an account after 3 wrong MFA codes
    When she signs in to WorkSpaces with a wrong Okta Verify code 3 times
    Then Grace's Okta account is now locked out
    When an Okta admin reactivates Grace's account
    And she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
