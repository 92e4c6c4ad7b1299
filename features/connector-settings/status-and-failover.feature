@area:connector-settings
Feature: RADIUS status, failover to the second server, and a moved server

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    And the AD Connector waits 2 seconds for each RADIUS answer and retries 1 time

  Scenario: The RADIUS status goes from Creating to Completed when the agent answers
    Then RADIUS is not enabled on the AD Connector yet
    When the AD Connector's RADIUS settings are applied
    Then the AD Connector's RADIUS status went through "Creating" to "Completed"

  @needs:okta-admin
  Scenario: When the first RADIUS server does not answer the AD Connector fails over to the second
    Given the AD Connector's first RADIUS server does not answer
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
    And the AD Connector tried 2 servers

  @needs:okta-mock
  Scenario: After the agent's address changes, sign-in fails until the settings are updated
    Given the agent has moved to a new address
    When she signs in to WorkSpaces with her current Okta Verify code
    Then her sign-in fails because the RADIUS server did not answer
    When the administrator points the AD Connector at the agent's new address
    And 1 minute passes
    And she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
