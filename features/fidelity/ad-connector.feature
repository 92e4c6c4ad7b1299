@area:fidelity
Feature: What AWS documents about the AD Connector's RADIUS client, and the settings it leaves open
  The AD Connector simulator follows AWS's Directory Service and WorkSpaces
  guides where they say something, and makes a setting of what they leave open
  (whether it sends Message-Authenticator, which check comes first), with a
  default the connector's README justifies.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    And the AD Connector waits 2 seconds for each RADIUS answer and retries 1 time

  # Source: WorkSpaces admin guide, connect-mfa — "While multi-factor authentication is being set up, users cannot log in to their WorkSpaces."
  @needs:okta-mock
  Scenario: While MFA is being set up (RADIUS status Creating) she cannot sign in; once it is done she can
    When she signs in to WorkSpaces with her current Okta Verify code while the RADIUS status is still Creating
    Then her sign-in is refused because multi-factor authentication is being set up
    When 1 minute passes
    And she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in

  # Source: BlastRADIUS (CVE-2024-3596) hardening, RFC 3579 §3.2; AWS documents neither way whether the AD Connector sends Message-Authenticator
  @needs:requires-message-authenticator
  Scenario: After BlastRADIUS hardening the agent requires Message-Authenticator; a connector that does not send it fails, and says why
    Given the AD Connector does not send Message-Authenticator
    When the AD Connector's RADIUS settings are applied
    Then the AD Connector's RADIUS status is "Failed" with a reason containing "no Message-Authenticator"
    When she signs in to WorkSpaces with her current Okta Verify code
    Then her sign-in fails because the RADIUS server did not answer

  # Source: as above; the agent's requireMessageAuthenticator off is the other way out
  @needs:okta-mock
  Scenario: An agent that does not require Message-Authenticator serves a connector that does not send it
    Given the agent does not require Message-Authenticator from the AD Connector
    And the AD Connector does not send Message-Authenticator
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in

  # Source: AWS ms_ad_mfa.md documents RADIUS first for Managed Microsoft AD; for AD Connector the order is not
  # documented: the lab checks the password first (simulators/ad-connector/README.md, "Order of checks")
  @needs:okta-mock
  Scenario: By default a wrong password is refused before any RADIUS request, so no code is spent
    When she signs in to WorkSpaces with the password "not-her-password" and her current Okta Verify code
    Then she is refused at the password check because "wrong password"
    And the agent made no Okta verify call

  # Source: AWS ms_ad_mfa.md — "If your RADIUS server successfully validates the user, AWS Managed Microsoft AD then authenticates the user against AD"
  @needs:okta-mock
  Scenario: With RADIUS checked first, a wrong password still spends her code at Okta
    Given the AD Connector checks the MFA code before the password
    When she signs in to WorkSpaces with the password "not-her-password" and her current Okta Verify code
    Then her sign-in is refused at the password check after the RADIUS server accepted the code
    And the agent made exactly one Okta verify call

  # Source: AWS API_RadiusSettings / API_EnableRadius — RadiusServersIpv6, "The IPv6 addresses of the RADIUS server endpoints"
  @needs:okta-mock @needs:agent-settings
  Scenario: An agent on ::1 entered under RadiusServersIpv6 signs her in from the connector's IPv6 address
    Given the agent listens on "::1"
    And the RADIUS app takes one shared secret from any source address, as Okta's agent does by default
    And the AD Connector chooses its source addresses from its route to the agent
    When the administrator enters the agent's address under RadiusServersIpv6
    And she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
    And her sign-in left from "::1"

  # Source: issue 11 item 1; AWS prereq_connector.md — two client addresses (the directory's IP addresses) share one secret
  @needs:okta-mock @needs:agent-settings
  Scenario: The connector sends from what the OS uses to reach the agent, plus a second loopback address
    Given the RADIUS app takes one shared secret from any source address, as Okta's agent does by default
    And the AD Connector chooses its source addresses from its route to the agent
    Then the AD Connector's source addresses are "127.0.0.1, 127.0.0.2"
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
    And her sign-in left from "127.0.0.1"

  # Source: Okta help, radius-best-pract-sess-per.htm — several agents without stickiness each do the work (a double push);
  # field report opnsense/core#10270 — a client failing over to a second server while a push is pending sends a second push
  @needs:okta-mock @needs:push-control @needs:agent-settings @needs:clock-control
  Scenario: Failing over to a second agent while her push is pending sends her a second push, and a slow approval is lost
    Given a second agent on "127.0.0.5" is the AD Connector's first RADIUS server
    And the AD Connector waits 10 seconds for each RADIUS answer and retries 0 times
    And Alice's phone will approve the push after 12 seconds
    When she signs in to WorkSpaces with a push
    Then her sign-in fails because the RADIUS server did not answer
    And her phone received 2 pushes
