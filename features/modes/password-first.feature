@area:modes @needs:okta-mock @needs:primary-auth
Feature: Password first: the agent checks the password, then asks which factor
  In password-first mode the first Access-Request carries the user's password.
  The agent checks it with Okta (an Authn transaction) and answers with an
  Access-Challenge that lists the user's factors by number, with a State. The
  client shows the list, and sends the user's answer — a factor's number, a
  keyword or a code — in a new Access-Request echoing the State. A State
  answers once and lives 60 seconds at most (ragent.mfa.timeout.seconds, Agent_install_linux-conf-properties.htm).

  The AD Connector (Amazon WorkSpaces) does not support Access-Challenge, as
  AWS documents: with WorkSpaces this mode cannot work, so the dialogue is shown
  here with a VPN, i.e. any RADIUS client that handles challenges.

  Background:
    Given the RADIUS app asks for the password first
    And Alice is a WorkSpaces user

  Scenario: A WorkSpaces sign-in fails: the AD Connector cannot answer the agent's challenge
    Given Alice has Okta Verify on her phone
    When she signs in to WorkSpaces with her password in the MFA field
    Then her sign-in fails because the AD Connector does not support Access-Challenge
    And the WorkSpaces client tells her "Contact your administrator"

  Scenario: A WorkSpaces user typing her code in the MFA field is refused: the agent takes it for her password
    Given Alice has Okta Verify on her phone
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent with a message containing "password"
    And the agent made no Okta verify call

  Scenario: The password opens the menu; picking the Okta Verify code and typing it signs her in
    Given Alice has Okta Verify on her phone
    When she signs in to the VPN with her password
    Then she is asked to choose a factor from "1 Okta Verify push, 2 Okta Verify code"
    When she picks "Okta Verify code"
    Then she is asked "Enter your Okta Verify code"
    When she answers with her current Okta Verify code
    Then she is signed in to the VPN

  Scenario: A code typed straight at the menu signs her in
    Given Alice has Okta Verify on her phone
    When she signs in to the VPN with her password
    And she answers with her current Okta Verify code
    Then she is signed in to the VPN

  @needs:push-control
  Scenario: Picking the push signs her in once her phone approves it
    Given Alice has Okta Verify on her phone
    And Alice's phone will approve the push after 5 seconds
    When she signs in to the VPN with her password
    And she picks "Okta Verify push"
    Then she is signed in to the VPN
    And her phone received 1 push

  @needs:push-control
  Scenario: A push denied on her phone refuses her
    Given Alice has Okta Verify on her phone
    And Alice's phone will deny the push after 2 seconds
    When she signs in to the VPN with her password
    And she picks "Okta Verify push"
    Then she is refused by the VPN with a message containing "denied"

  # Source: Okta, "RADIUS user experience" (citrix-netscaler-radius-user-exp.htm): with one
  # MFA option the user is prompted for it directly; the factor menu appears only with several.
  Scenario: With SMS as his only factor the code is sent at once, and the code from the SMS signs Dave in
    Given Dave is a WorkSpaces user
    And Dave can receive codes by SMS
    When he signs in to the VPN with his password
    Then he is asked "A code was sent by SMS"
    And a code was sent to him by SMS
    When he answers with the code from the SMS
    Then he is signed in to the VPN

  Scenario: A wrong password is refused before any factor is offered
    Given Alice has Okta Verify on her phone
    When she signs in to the VPN with the password "not-her-password"
    Then she is refused by the VPN with a message containing "password"
    And the agent made no Okta verify call

  Scenario: A wrong code is refused
    Given Alice has Okta Verify on her phone
    When she signs in to the VPN with her password
    And she picks "Okta Verify code"
    And she answers with a wrong Okta Verify code
    Then she is refused by the VPN with a message containing "not valid"

  Scenario: A State answers once: sending the same pick again is refused
    Given Alice has Okta Verify on her phone
    When she signs in to the VPN with her password
    And she picks "Okta Verify code"
    And she sends the same answer again with the same State
    Then she is refused by the VPN with a message containing "expired"
    And the agent made no Okta verify call

  Scenario: The State that signed her in cannot sign anyone in again
    Given Alice has Okta Verify on her phone
    When she signs in to the VPN with her password
    And she picks "Okta Verify code"
    And she answers with her current Okta Verify code
    And she sends the same answer again with the same State
    Then she is refused by the VPN with a message containing "expired"
    And the agent made exactly one Okta verify call

  Scenario: A State the agent never sent is refused
    Given Alice has Okta Verify on her phone
    When she answers "1" with a State the agent never sent
    Then she is refused by the VPN with a message containing "expired"
    And the agent made no Okta verify call

  Scenario: Another user cannot answer Alice's challenge
    Given Alice has Okta Verify on her phone
    And Bob is a WorkSpaces user
    And Bob has Okta Verify on his phone
    When Alice signs in to the VPN with her password
    And Bob answers "2" with the State of Alice's challenge
    Then Bob is refused by the VPN with a message containing "expired"

  @needs:clock-control
  Scenario: A challenge left unanswered for more than 60 seconds has expired
    Given Alice has Okta Verify on her phone
    When she signs in to the VPN with her password
    And 61 seconds pass
    And she answers with her current Okta Verify code
    Then she is refused by the VPN with a message containing "expired"
    And the agent made no Okta verify call

  Scenario: When Okta's policy asks no second factor (a user with none enrolled), the password alone signs him in
    Given Frank is a WorkSpaces user
    And Frank has no MFA factor enrolled
    When he signs in to the VPN with his password
    Then he is signed in to the VPN
    And the agent made no Okta verify call
