@area:fidelity @needs:okta-mock
Feature: Duo push and SMS on Okta's generic RADIUS app, passcodes only on the WorkSpaces app
  Okta documents Duo push, SMS and passcode over PAP for its RADIUS apps, and
  Duo passcodes only for the Amazon WorkSpaces app. The reference agent says
  which app it stands for (apps[].oktaApp); the mock org sends Duo pushes to the
  Duo Mobile app on her phone and Duo passcodes to it by SMS. A VPN here sends
  her user name and what she types (MFA only, no password).

  Background:
    Given Erin is a WorkSpaces user
    And Erin has Duo Mobile on her phone

  # Source: Okta help, Okta_Radius_App.htm — Supported factors: "Duo (Push, SMS, and Passcode only)", PAP: Supported
  @needs:agent-settings @needs:push-control
  Scenario: On the generic RADIUS app, typing "push" sends a Duo push; approving it signs her in
    Given the RADIUS app is Okta's generic RADIUS app
    And Erin's Duo Mobile will approve the push
    When she signs in to the VPN by typing "push"
    Then she is signed in to the VPN
    And Erin's Duo Mobile received 1 push

  # Source: Okta help, Okta_Radius_App.htm — Supported factors: "Duo (Push, SMS, and Passcode only)", PAP: Supported
  @needs:agent-settings @needs:push-control
  Scenario: On the generic RADIUS app, denying the Duo push refuses her
    Given the RADIUS app is Okta's generic RADIUS app
    And Erin's Duo Mobile will deny the push
    When she signs in to the VPN by typing "push"
    Then she is refused by the VPN with a message containing "denied"
    And Erin's Duo Mobile received 1 push

  # Source: Okta help, Okta_Radius_App.htm — Supported factors: "Duo (Push, SMS, and Passcode only)", PAP: Supported
  @needs:agent-settings
  Scenario: On the generic RADIUS app, typing "sms" sends a Duo passcode by SMS, and that passcode signs her in
    Given the RADIUS app is Okta's generic RADIUS app
    When she signs in to the VPN by typing "sms"
    Then she is refused by the VPN with a message containing "A Duo passcode was sent by SMS"
    And a Duo passcode reached her phone by SMS
    When she signs in to the VPN with the code from the SMS
    Then she is signed in to the VPN

  # Source: Okta help, aws-radius-intg-config-mfa.htm — "DUO MFA with Push/SMS/Call is not supported for Amazon Workspaces …
  # must provide the six digit MFA passcode" (the reference agent's default app)
  @needs:reference-rules
  Scenario: On the WorkSpaces app the same "push" is refused with the reason, and no Duo push is sent
    When she signs in to the VPN by typing "push"
    Then she is refused by the VPN with a message containing "Duo passcode"
    And Erin's Duo Mobile received 0 pushes
