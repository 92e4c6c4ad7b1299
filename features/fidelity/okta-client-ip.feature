@area:fidelity @needs:okta-mock @needs:agent-settings
Feature: Report Client IP: Okta's network zones see the user's address, not the RADIUS client's
  With "Report Client IP" the agent reads the user's IP from a RADIUS attribute
  (usually 31 Calling-Station-Id) and passes it to Okta, so sign-on policy rules
  on network zones apply to where the user is. The policy is evaluated when the
  password opens an Authn transaction, so this is a password mode
  (password,code in one field); the requests come from a plain RADIUS client.

  Background:
    Given the RADIUS app takes the password and code in one field
    And the RADIUS app reports the client IP from Calling-Station-Id
    And the org's sign-on policy denies access from the network zone "203.0.113.0/24"
    And Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone

  # Source: Okta help, Okta_Radius_App-gen-client-ip.htm — "configure Okta to enforce, restrict … depending on the IP
  # address, network zone … of users"; "The most common attribute used for this information is 31 Calling Station ID"
  Scenario: A user in a denied network zone is refused
    When a RADIUS client sends Alice's password and current Okta Verify code from the user IP "203.0.113.7"
    Then the agent answers with Access-Reject
    And Okta was told the client IP "203.0.113.7"

  # Source: as above
  Scenario: The same user from another address signs in
    When a RADIUS client sends Alice's password and current Okta Verify code from the user IP "198.51.100.20"
    Then the agent answers with Access-Accept
    And Okta was told the client IP "198.51.100.20"
