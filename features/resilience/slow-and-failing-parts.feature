@area:resilience
Feature: Sign-in survives slow parts and fails clearly when a part is down

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone

  @needs:okta-mock @needs:push-control @needs:clock-control @slow
  Scenario: A push slower than the AD Connector's whole wait fails the sign-in
    Given the AD Connector waits 5 seconds for each RADIUS answer and retries 2 times
    And Alice's phone will approve the push after 20 seconds
    When she signs in to WorkSpaces with a push
    Then her sign-in fails because the RADIUS server did not answer

  @needs:okta-mock @needs:clock-control
  Scenario: Okta answering slowly still signs Alice in within the AD Connector's wait
    Given Okta takes 4 seconds to answer each request
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
    And the sign-in took at least 4 seconds

  @needs:okta-mock
  Scenario: Okta failing with 503 refuses the sign-in with a reason
    Given Okta answers every request with HTTP 503
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent with a Reply-Message

  @needs:okta-mock @needs:clock-control
  Scenario: Okta rate-limiting the agent refuses, and sign-in works again after the reset
    Given Okta allows only 1 request per minute
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent
    When 1 minute passes
    And Okta allows requests again
    And she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in

  @no-agent
  Scenario: The directory being down fails the sign-in at the password check
    Given the directory is down
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is refused at the password check because "directory unavailable"
    And no RADIUS request was sent

  @needs:okta-mock
  Scenario: Lost packets are recovered by the AD Connector's retries
    Given the AD Connector waits 3 seconds for each RADIUS answer and retries 3 times
    And the network loses the first 2 packets from the AD Connector to the agent
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
    And the AD Connector sent 3 copies of the request
