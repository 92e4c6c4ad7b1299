@area:browser @browser @slow @needs:okta-mock
Feature: The WorkSpaces-like sign-in page
  A person at the WorkSpaces client fills in user name, password and MFA code.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone

  Scenario: Signing in on the page with the Okta Verify code
    When she signs in on the sign-in page with her current Okta Verify code
    Then the page says she is signed in

  @needs:push-control
  Scenario: Signing in on the page with a push
    Given Alice's phone will approve the push after 3 seconds
    When she signs in on the sign-in page with "push" as her MFA code
    Then the page says she is signed in

  Scenario: A wrong code on the page shows an error
    When she signs in on the sign-in page with a wrong Okta Verify code
    Then the page shows an error
