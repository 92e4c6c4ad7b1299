@area:fidelity @needs:okta-mock
Feature: Which RADIUS clients the agent answers: Okta's one secret per app, or a list
  Okta's RADIUS agent has one shared secret per RADIUS app (port) and answers
  any source address, unless ragent.network.bind / ragent.network.accept.allow_list
  limit it. The reference agent offers that model beside its own client list
  (a secret per source address), which the other scenarios use.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone

  # Source: Okta help, Okta_Radius_App-gen-addr-filtering.htm — the allow list is optional ("you may choose to limit access")
  @needs:agent-settings
  Scenario: By default Okta's model answers a client at any address that knows the app's secret
    Given the RADIUS app takes one shared secret from any source address, as Okta's agent does by default
    When a RADIUS client at "127.0.0.9" sends Alice's current Okta Verify code
    Then the agent answers with Access-Accept

  # Source: Okta help, Okta_Radius_App-gen-addr-filtering.htm — ragent.network.accept.allow_list = <IP address>, …
  @needs:agent-settings
  Scenario: With an allow list, a client at another address gets no answer
    Given the RADIUS app accepts requests only from "127.0.0.2", as ragent.network.accept.allow_list says
    When a RADIUS client at "127.0.0.9" sends Alice's current Okta Verify code
    Then the agent does not answer

  # Source: the reference agent's own client list (agent/README.md); an agent run Okta's default way has no such list
  @needs:client-allow-list
  Scenario: An agent with a client list does not answer an address missing from it
    When a RADIUS client at "127.0.0.9" sends Alice's current Okta Verify code
    Then the agent does not answer
