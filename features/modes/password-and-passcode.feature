@area:modes @needs:okta-mock
Feature: Password and code in one field: "password,code" in the MFA field
  In password,passcode mode the agent reads User-Password as the Okta password,
  a comma, then the MFA answer (split at the last comma, so a password may hold
  commas). It checks the password with Okta (an Authn transaction) and the
  answer inside that same transaction, as Okta's RADIUS agent does.

  With WorkSpaces, the AD Connector checks the password field against AD itself
  and sends only the MFA field over RADIUS. So a WorkSpaces user types the
  password as usual, and in the MFA field types the password again, a comma and
  the code — e.g. "Correct-Horse-1!,123456" — or "password,push" for a push.
  The password before the comma is the one Okta knows (the AD password, when
  Okta delegates authentication to AD).

  Background:
    Given the RADIUS app takes the password and code in one field
    And Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone

  Scenario: Her password and her current Okta Verify code sign her in
    When she signs in to WorkSpaces with her password and current Okta Verify code in the MFA field
    Then she is signed in

  Scenario: A wrong password before the comma is refused, and no factor is tried
    When she signs in to WorkSpaces with the password "not-her-password" and her current Okta Verify code in the MFA field
    Then she is rejected by the agent with a message containing "password"
    And the agent made no Okta verify call

  Scenario: Her password with a wrong code is refused
    When she signs in to WorkSpaces with her password and a wrong Okta Verify code in the MFA field
    Then she is rejected by the agent with a message containing "not valid"

  Scenario: The code alone, without the password, is refused with a hint
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is rejected by the agent with a message containing "password, a comma"
    And the agent made no Okta verify call

  @needs:push-control
  Scenario: Her password and "push" sign her in once her phone approves
    Given Alice's phone will approve the push after 5 seconds
    When she signs in to WorkSpaces with her password and "push" in the MFA field
    Then she is signed in
    And her phone received 1 push

  Scenario: His password and "sms" send a code; his password and that code sign Dave in
    Given Dave is a WorkSpaces user
    And Dave can receive codes by SMS
    When he signs in to WorkSpaces with his password and "sms" in the MFA field
    Then he is rejected by the agent with a message containing "A code was sent by SMS"
    And a code was sent to him by SMS
    When he signs in to WorkSpaces with his password and the code from the SMS in the MFA field
    Then he is signed in

  Scenario: A password that holds a comma still works: the answer is split at the last comma
    Given Alice's password is "Pass,word-1!"
    When she signs in to WorkSpaces with her password and current Okta Verify code in the MFA field
    Then she is signed in
