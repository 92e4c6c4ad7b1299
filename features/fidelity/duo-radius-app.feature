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

  # Source: Okta help, Okta_Radius_App.htm — "Password + MFA: Primary authentication using password, then the user is
  # prompted to select factors"; Duo (Push, SMS, and Passcode only) over PAP; one option is prompted for directly
  # (citrix-netscaler-radius-user-exp.htm)
  @needs:agent-settings @needs:primary-auth @needs:push-control
  Scenario: With the password first on the generic RADIUS app, the Duo prompt takes "push"
    Given the RADIUS app is Okta's generic RADIUS app
    And the RADIUS app asks for the password first
    And Erin's Duo Mobile will approve the push
    When she signs in to the VPN with her password
    Then she is asked "Enter your Duo passcode, or PUSH for a Duo push, or SMS for a Duo passcode by SMS."
    When she answers "push"
    Then she is signed in to the VPN
    And Erin's Duo Mobile received 1 push

  # Source: Okta help, Okta_Radius_App.htm — Password + MFA; Duo (Push, SMS, and Passcode only) over PAP
  @needs:agent-settings @needs:primary-auth
  Scenario: With the password first on the generic RADIUS app, "sms" brings a Duo passcode she answers in the same sign-in
    Given the RADIUS app is Okta's generic RADIUS app
    And the RADIUS app asks for the password first
    When she signs in to the VPN with her password
    And she answers "sms"
    Then she is asked "A Duo passcode was sent by SMS. Enter it."
    And a Duo passcode reached her phone by SMS
    When she answers with the code from the SMS
    Then she is signed in to the VPN

  # Source: Okta help, aws-radius-intg-config-mfa.htm — "DUO MFA with Push/SMS/Call is not supported for Amazon Workspaces …
  # must provide the six digit MFA passcode" (the reference agent's default app)
  @needs:reference-rules
  Scenario: On the WorkSpaces app the same "push" is refused with the reason, and no Duo push is sent
    When she signs in to the VPN by typing "push"
    Then she is refused by the VPN with a message containing "Duo passcode"
    And Erin's Duo Mobile received 0 pushes
