@area:factors @needs:okta-admin
Feature: Two people signing in at the same time each get their own answer
  Two Access-Requests are in flight together; each is judged on its own user
  and code, and a code only works for the person whose app shows it.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    And Bob is a WorkSpaces user
    And Bob has Okta Verify on his phone

  @needs:okta-mock
  Scenario: Alice and Bob sign in at the same time and both get in
    When Alice and Bob sign in to WorkSpaces at the same time with their current Okta Verify codes
    Then Alice is signed in
    And Bob is signed in
    And the agent made exactly 2 Okta verify calls

  Scenario: Bob typing Alice's current code is rejected, and her code still signs her in
    When Bob signs in to WorkSpaces with Alice's current Okta Verify code
    Then Bob is rejected by the agent
    When Alice signs in to WorkSpaces with her current Okta Verify code
    Then Alice is signed in
