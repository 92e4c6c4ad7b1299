@area:fidelity @needs:okta-mock @needs:push-control
Feature: What Okta documents about its org settings for RADIUS users
  Okta Verify's number challenge cannot work over RADIUS: the user would have to
  pick the number the sign-in screen shows, and a RADIUS client shows none.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    And Alice's phone will approve the push after 3 seconds

  # Source: Okta help, Okta_Radius_App.htm — "Okta Verify (number challenge)": not supported (PAP, EAP-GTC, EAP-TTLS);
  # "the challenge may be presented to RADIUS users even though it's not supported"
  Scenario: With number challenge on, approving the push on her phone does not sign her in
    Given the org's Okta Verify asks for a number challenge on pushes
    When she signs in to WorkSpaces with a push
    Then she is rejected by the agent with a message containing "denied"

  # Source: Okta help, Okta_Radius_App.htm — "To prevent this, enable the Early Access feature Disable number matching challenge for RADIUS"
  Scenario: With "Disable number matching challenge for RADIUS" on, the same push signs her in
    Given the org has turned on "Disable number matching challenge for RADIUS"
    When she signs in to WorkSpaces with a push
    Then she is signed in
