@area:factors @needs:okta-admin
Feature: Okta Verify codes sign a user in to WorkSpaces
  Alice types the six-digit code Okta Verify shows into the MFA field of the
  WorkSpaces sign-in page. The AD Connector checks her password, then asks the
  RADIUS agent, which asks Okta to verify the code.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone

  @needs:okta-mock
  Scenario: The code Okta Verify shows now signs Alice in
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
    And the agent made exactly one Okta verify call

  Scenario: A wrong code is refused
    When she signs in to WorkSpaces with a wrong Okta Verify code
    Then she is rejected by the agent

  Scenario Outline: A code from <when> is <result> (Okta allows one time step of clock drift)
    When she signs in to WorkSpaces with her Okta Verify code from <when>
    Then she is <result>

    Examples:
      | when                   | result                  |
      | the previous time step | signed in               |
      | the next time step     | signed in               |
      | 2 time steps earlier   | rejected by the agent   |
      | 2 time steps later     | rejected by the agent   |

  Scenario: A code that was already used is refused the second time
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
    When she signs in again with the same code
    Then she is rejected by the agent

  @needs:okta-mock
  Scenario: A code read just before it changes still works a few seconds later
    Given 25 seconds of the current time step have passed
    When she reads her Okta Verify code and types it 10 seconds later
    Then she is signed in
