@area:factors @needs:okta-mock
Feature: SMS, voice and email codes take two sign-ins
  The user types "sms", "call" or "email"; the agent asks Okta to send a code
  and refuses this first attempt with a message saying a code was sent. The user
  then signs in again with the code that arrived.

  Background:
    Given Dave is a WorkSpaces user

  Scenario Outline: A code sent by <channel> signs Dave in on the second attempt
    Given Dave can receive codes by <channel>
    When he signs in to WorkSpaces with "<keyword>" as his MFA code
    Then he is rejected by the agent with a message containing "<hint>"
    And a code was sent to him by <channel>
    When he signs in to WorkSpaces with the code from the <channel>
    Then he is signed in

    Examples:
      | channel    | keyword | hint |
      | SMS        | sms     | SMS  |
      | voice call | call    | call |
      | email      | email   | mail |

  Scenario Outline: Keywords are understood in any case (<keyword>)
    Given Dave can receive codes by SMS
    When he signs in to WorkSpaces with "<keyword>" as his MFA code
    Then a code was sent to him by SMS

    Examples:
      | keyword |
      | SMS     |
      | Sms     |

  Scenario: A code from the SMS that has expired is refused
    Given Dave can receive codes by SMS
    When he signs in to WorkSpaces with "sms" as his MFA code
    And 10 minutes pass
    And he signs in to WorkSpaces with the code from the SMS
    Then he is rejected by the agent

  Scenario: A wrong SMS code is refused
    Given Dave can receive codes by SMS
    When he signs in to WorkSpaces with "sms" as his MFA code
    And he signs in to WorkSpaces with "000001" as his MFA code
    Then he is rejected by the agent
