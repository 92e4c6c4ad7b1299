@area:secrets
Feature: The shared secret and the client address decide who the agent answers
  The agent answers only RADIUS clients it knows, by source address, and only
  requests signed with that client's shared secret. Anything else is dropped
  without an answer, so the AD Connector times out.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    And the AD Connector waits 2 seconds for each RADIUS answer and retries 1 time

  Scenario: With a wrong shared secret the agent stays silent and the sign-in fails
    Given the AD Connector is configured with a wrong shared secret
    When she signs in to WorkSpaces with her current Okta Verify code
    Then her sign-in fails because the RADIUS server did not answer
    And the AD Connector's RADIUS status is "Failed"

  @needs:metrics
  Scenario: The agent counts requests signed with a wrong secret as dropped
    Given the AD Connector is configured with a wrong shared secret
    When she signs in to WorkSpaces with her current Okta Verify code
    Then the agent dropped 2 requests as "bad-message-authenticator"

  Scenario: With the right shared secret the RADIUS status is Completed
    When the AD Connector's RADIUS settings are applied
    Then the AD Connector's RADIUS status is "Completed"

  @needs:client-allow-list
  Scenario: A request from an address the agent does not know is not answered
    Given the agent does not know the AD Connector's first address
    When she signs in to WorkSpaces with her current Okta Verify code
    Then her sign-in fails because the RADIUS server did not answer

  @needs:metrics @needs:client-allow-list
  Scenario: The agent counts requests from unknown addresses as dropped
    Given the agent does not know the AD Connector's first address
    When she signs in to WorkSpaces with her current Okta Verify code
    Then the agent dropped 2 requests as "unknown-client"

  @needs:lab-codes @needs:two-client-addresses
  Scenario: Both of the AD Connector's addresses are answered with the same secret
    Given the AD Connector alternates between its two addresses
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
    When 1 minute passes
    And she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
    And her two sign-ins left from different addresses
