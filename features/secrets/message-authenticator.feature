@area:secrets @needs:message-authenticator
Feature: Message-Authenticator protects against forged requests (BlastRADIUS)
  The agent requires a valid Message-Authenticator in every Access-Request
  from the AD Connector by default and places one first in every reply.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone

  @needs:requires-message-authenticator
  Scenario: A request without Message-Authenticator is dropped
    When a RADIUS client sends Alice's current Okta Verify code without a Message-Authenticator
    Then the agent does not answer

  Scenario: A request with a tampered Message-Authenticator is dropped
    When a RADIUS client sends Alice's current Okta Verify code with a tampered Message-Authenticator
    Then the agent does not answer

  @needs:metrics
  Scenario: A request dropped for a tampered Message-Authenticator is counted by its reason
    When a RADIUS client sends Alice's current Okta Verify code with a tampered Message-Authenticator
    Then the agent does not answer
    And the agent dropped 1 request as "bad-message-authenticator"

  @needs:metrics @needs:requires-message-authenticator
  Scenario: A request dropped for a missing Message-Authenticator is counted by its reason
    When a RADIUS client sends Alice's current Okta Verify code without a Message-Authenticator
    Then the agent does not answer
    And the agent dropped 1 request as "missing-message-authenticator"

  @needs:proxy-state @needs:requires-message-authenticator
  Scenario: Proxy-State without Message-Authenticator is dropped
    When a RADIUS client sends Alice's current Okta Verify code with Proxy-State "p1" and without a Message-Authenticator
    Then the agent does not answer

  @needs:okta-admin
  Scenario: A signed request gets a reply that starts with Message-Authenticator
    When a RADIUS client sends Alice's current Okta Verify code
    Then the agent answers with Access-Accept
    And the reply's first attribute is Message-Authenticator
    And the reply's Message-Authenticator is valid
