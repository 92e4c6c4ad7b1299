@area:factors @needs:okta-mock @needs:push-control
Feature: Okta Verify push: the user types "push" and approves on the phone
  In MFA-only mode the user types the keyword "push" as the MFA code; the
  agent sends an Okta Verify push and waits for the answer. The agent gives a
  push half of its 60-second request timeout (30 seconds).

  Background:
    Given Carol is a WorkSpaces user
    And Carol has Okta Verify on her phone

  Scenario: An approved push signs Carol in
    Given Carol's phone will approve the push after 5 seconds
    When she signs in to WorkSpaces with a push
    Then she is signed in
    And her phone received 1 push

  Scenario: A denied push refuses her
    Given Carol's phone will deny the push after 3 seconds
    When she signs in to WorkSpaces with a push
    Then she is rejected by the agent

  @needs:clock-control
  Scenario: A push nobody answers runs out and she is refused
    Given Carol's phone will ignore the push
    When she signs in to WorkSpaces with a push
    Then she is rejected by the agent
    And the sign-in took at least 25 seconds

  @needs:clock-control
  Scenario: A push approved after the agent gave up does not sign her in
    Given the AD Connector waits 50 seconds for each RADIUS answer
    And Carol's phone will approve the push after 40 seconds
    When she signs in to WorkSpaces with a push
    Then she is rejected by the agent

  Scenario Outline: The keyword "<keyword>" is understood in any case
    Given Carol's phone will approve the push
    When she signs in to WorkSpaces with "<keyword>" as her MFA code
    Then she is signed in

    Examples:
      | keyword |
      | push    |
      | PUSH    |
      | Push    |
      | pUsH    |
