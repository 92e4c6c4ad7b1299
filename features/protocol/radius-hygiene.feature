@area:protocol
Feature: The agent speaks RADIUS carefully
  Retransmissions, Proxy-State, Message-Authenticator placement, Status-Server,
  unsupported authentication protocols and malformed packets.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone

  @needs:duplicate-cache @needs:okta-mock
  Scenario: A retransmitted wrong code is rejected every time, from the duplicate cache, with one Okta call
    When a RADIUS client sends "000000" as Alice's MFA code 3 times with the same identifier
    Then the agent answers every copy with the same Access-Reject
    And the agent made exactly one Okta verify call

  @needs:duplicate-cache @needs:okta-mock
  Scenario: A retransmitted request is answered from the duplicate cache with one Okta call
    When a RADIUS client sends Alice's current Okta Verify code 3 times with the same identifier
    Then the agent answers every copy with the same Access-Accept
    And the agent made exactly one Okta verify call

  @needs:duplicate-cache @needs:okta-mock @needs:push-control
  Scenario: Retransmissions while a push is pending start no second push
    Given Alice's phone will approve the push after 12 seconds
    And the AD Connector waits 5 seconds for each RADIUS answer and retries 4 times
    When she signs in to WorkSpaces with a push
    Then she is signed in
    And the AD Connector sent 3 copies of the request
    And her phone received 1 push

  @needs:duplicate-cache @needs:lab-codes
  Scenario: Every copy of a retransmitted request gets the same Access-Accept
    When a RADIUS client sends Alice's current Okta Verify code 3 times with the same identifier
    Then the agent answers every copy with the same Access-Accept

  @needs:proxy-state @needs:lab-codes
  Scenario: Proxy-State attributes come back on an Access-Accept in the order they were sent
    When a RADIUS client sends Alice's current Okta Verify code with Proxy-State "first", "second" and "third"
    Then the agent answers with Access-Accept
    And the reply carries Proxy-State "first", "second" and "third" in that order

  @needs:proxy-state
  Scenario: Proxy-State attributes come back on an Access-Reject in the order they were sent
    When a RADIUS client sends "000000" as Alice's MFA code with Proxy-State "first", "second" and "third"
    Then the agent answers with Access-Reject
    And the reply carries Proxy-State "first", "second" and "third" in that order

  @needs:message-authenticator
  Scenario: Message-Authenticator is the first attribute of a reject too
    When a RADIUS client sends "000000" as Alice's MFA code
    Then the agent answers with Access-Reject
    And the reply's first attribute is Message-Authenticator

  @needs:status-server
  Scenario: Status-Server is answered
    When a RADIUS client sends a Status-Server request
    Then the agent answers with Access-Accept

  @needs:chap-reject-reason
  Scenario Outline: <protocol> is refused with a message that says why
    Given the AD Connector uses the <protocol> protocol
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent with a message containing "PAP"

    Examples:
      | protocol  |
      | CHAP      |
      | MS-CHAPv1 |
      | MS-CHAPv2 |

  @needs:metrics
  Scenario Outline: A malformed packet (<problem>) is dropped and counted
    When a RADIUS client sends a packet that <problem>
    Then the agent does not answer
    And the agent dropped 1 request as "<reason>"

    Examples:
      | problem                          | reason    |
      | is shorter than a RADIUS header  | malformed |
      | claims more bytes than it has    | malformed |
      | has an attribute of length 1     | malformed |
