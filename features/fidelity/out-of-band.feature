@area:fidelity @needs:okta-mock @needs:primary-auth @needs:push-control
Feature: AWS's out-of-band MFA with WorkSpaces: the password in both fields
  The AD Connector cannot answer an Access-Challenge, so with an agent that
  checks the password itself (password first) the only way through is an
  out-of-band factor the agent starts on its own: the user types the password
  in the password field and again in the MFA field, and approves a push. With
  one factor offered, the agent prompts for it directly — for a push, it sends
  it at once (Okta: "prompted for the single active MFA").

  Background:
    Given the RADIUS app asks for the password first
    And the org's sign-on policy offers Okta Verify push only
    And Frank is a WorkSpaces user
    And Frank has Okta Verify on his phone

  # Source: AWS ad_connector_mfa.md — "When using an out-of-band MFA solution … users enter their password in both the
  # password field and the MFA field"; Okta citrix-netscaler-radius-user-exp.htm — a single MFA option is prompted directly
  Scenario: The password in the MFA field sends the push at once, and his approval signs him in
    Given Frank's phone will approve the push after 3 seconds
    When he signs in to WorkSpaces with his password in the MFA field
    Then he is signed in
    And his phone received 1 push

  # Source: as above
  Scenario: Denying that push on his phone refuses him
    Given Frank's phone will deny the push after 2 seconds
    When he signs in to WorkSpaces with his password in the MFA field
    Then he is rejected by the agent with a message containing "denied"
