@area:fidelity @needs:okta-mock @needs:push-control @needs:agent-settings @needs:clock-control
Feature: Several agents behind a load balancer: session persistence and the double push
  Okta recommends session persistence (sticky sessions) in front of several
  RADIUS agents: a push keeps the first agent polling Okta while the client
  retransmits, and a retry that reaches another agent is a new request there —
  a second push. The agents here answer any source address (Okta's model), as
  they see the load balancer's address.

  Background:
    Given the RADIUS app takes one shared secret from any source address, as Okta's agent does by default
    And Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    And Alice's phone will approve the push after 15 seconds

  # Source: Okta help, radius-best-pract-sess-per.htm — "if a retry is routed to a different RADIUS server agent, that agent
  # processes the request as a new request and initiates the push notification again"
  Scenario: Without session persistence the retry reaches the other agent and she gets a second push
    Given two agents sit behind a load balancer on "127.0.0.6" without session persistence
    And the AD Connector waits 10 seconds for each RADIUS answer and retries 3 times
    When she signs in to WorkSpaces with a push
    Then she is signed in
    And her phone received 2 pushes

  # Source: as above — "where retries are sent to the same RADIUS server agent, the agent recognizes duplicates and drops them"
  Scenario: With session persistence every retry reaches the same agent: one push
    Given two agents sit behind a load balancer on "127.0.0.6" with session persistence
    And the AD Connector waits 10 seconds for each RADIUS answer and retries 3 times
    When she signs in to WorkSpaces with a push
    Then she is signed in
    And her phone received 1 push

  # Source: as above — "Okta recommends that you set the RADIUS client retry interval to 30 seconds or higher when deploying
  # in a load-balanced environment without session persistence"
  Scenario: Without session persistence but a 30-second retry interval she answers before any retry: one push
    Given two agents sit behind a load balancer on "127.0.0.6" without session persistence
    And the AD Connector waits 30 seconds for each RADIUS answer and retries 3 times
    When she signs in to WorkSpaces with a push
    Then she is signed in
    And her phone received 1 push
