@area:fidelity @needs:okta-mock @needs:primary-auth @needs:agent-settings
Feature: Inline MFA enrolment over RADIUS, when the RADIUS app permits it
  With the app's inline enrolment box checked, a user with no MFA factor enrols
  one during his sign-in instead of being sent to Okta first. Over RADIUS that
  is a dialogue of Access-Challenges through a VPN: which factor, the phone
  number, the code sent to it. Okta documents that email cannot be enrolled this
  way; that authenticator apps are not offered either (no QR code over RADIUS,
  and their secret must not travel in a Reply-Message) is the project's own rule.

  Background:
    Given the RADIUS app asks for the password first
    And the org's sign-on policy requires MFA
    And the RADIUS app permits inline enrolment
    And Frank is a WorkSpaces user
    And Frank has no MFA factor enrolled

  # Source: Okta help, Okta_Radius_App-gen-config-app.htm — "Determine whether to permit end users … to enroll in MFA
  # while authenticating … To permit inline enrollment, check the box."
  Scenario: Frank enrols SMS during his VPN sign-in and is signed in
    When he signs in to the VPN with his password
    Then he is asked "You have no MFA factor. Enroll one: 1 SMS, 2 Voice call. Reply with its number."
    When he picks "SMS" to enrol
    Then he is asked "Enter the phone number for SMS codes"
    When he answers with his phone number
    Then he is asked "A code was sent by SMS to +1 XXX-XXX-0001. Enter it to finish enrolling."
    When he answers with the code from the SMS
    Then he is signed in to the VPN
    And he has an active SMS factor in Okta

  # Source: Okta help, Okta_Radius_App-gen-config-app.htm — inline enrollment; citrix-netscaler-radius-user-exp.htm —
  # a single MFA option is prompted for directly
  @needs:clock-control
  Scenario: His next sign-in uses the SMS factor he enrolled
    When he signs in to the VPN with his password
    And he picks "SMS" to enrol
    And he answers with his phone number
    And he answers with the code from the SMS
    And 31 seconds pass
    And he signs in to the VPN with his password
    Then he is asked "A code was sent by SMS to +1 XXX-XXX-0001. Enter it."
    When he answers with the code from the SMS
    Then he is signed in to the VPN

  # Source: Okta help, Okta_Radius_App-gen-config-app.htm — inline enrollment; Okta_Radius_App.htm — Phone (SMS and Voice call) over PAP
  Scenario: Frank enrols a voice call instead; the code comes by a call
    When he signs in to the VPN with his password
    And he picks "Voice call" to enrol
    Then he is asked "Enter the phone number for voice call codes"
    When he answers with his phone number
    Then he is asked "A code was sent by a voice call to +1 XXX-XXX-0001"
    When he answers with the code from the voice call
    Then he is signed in to the VPN
    And he has an active voice call factor in Okta

  # Source: Okta help, Okta_Radius_App.htm — "RADIUS doesn't support inline enrollment with Email"; the authenticator apps:
  # the project's own rule (no QR code over RADIUS; a shared secret in a Reply-Message crosses the RADIUS path in the clear)
  Scenario: With only email and authenticator apps to enrol, he is told to enrol in Okta first
    Given the org's enrolment policy offers "Google Authenticator, Okta Verify, email"
    When he signs in to the VPN with his password
    Then he is refused by the VPN with a message containing "cannot be enrolled over RADIUS. Sign in to Okta to enroll one."
    And he has no active MFA factor in Okta

  # Source: Okta help, Okta_Radius_App-gen-config-app.htm — inline enrollment; the re-prompt is the project's own rule
  Scenario: A phone number Okta does not accept is asked for again
    When he signs in to the VPN with his password
    And he picks "SMS" to enrol
    And he answers "12345"
    Then he is asked "Okta did not accept that phone number"
    When he answers with his phone number
    Then he is asked "A code was sent by SMS to +1 XXX-XXX-0001"

  # Source: Okta help, Okta_Radius_App-gen-config-app.htm — inline enrollment; Okta's Authentication API answers a wrong
  # activation code with 403 E0000068 and the factor stays pending
  Scenario: A wrong code does not enrol him
    When he signs in to the VPN with his password
    And he picks "SMS" to enrol
    And he answers with his phone number
    And he answers "0000000"
    Then he is refused by the VPN with a message containing "not valid"
    And he has no active MFA factor in Okta
