@area:fidelity @needs:okta-mock
Feature: What Okta documents about its RADIUS agent, reproduced by the reference agent
  Each scenario shows one behaviour Okta's help pages document, with the page it
  comes from (FIDELITY.md at the root lists them all). A VPN here is any RADIUS
  client that handles Access-Challenge (the AD Connector does not).

  # Source: Okta help, Agent_install_linux-conf-properties.htm — ragent.mfa.timeout.seconds:
  # "Time, in seconds, that the agent will wait for the client to respond to an MFA challenge such as factor selection", default 60
  @needs:primary-auth @needs:clock-control
  Scenario: A password-first challenge answered after 59 seconds still signs her in
    Given the RADIUS app asks for the password first
    And Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    When she signs in to the VPN with her password
    And 59 seconds pass
    And she answers with her current Okta Verify code
    Then she is signed in to the VPN

  # Source: Okta help, Agent_install_linux-conf-properties.htm — ragent.mfa.timeout.seconds, default 60
  @needs:primary-auth @needs:clock-control
  Scenario: A password-first challenge left 61 seconds has expired (ragent.mfa.timeout.seconds is 60)
    Given the RADIUS app asks for the password first
    And Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    When she signs in to the VPN with her password
    And 61 seconds pass
    And she answers with her current Okta Verify code
    Then she is refused by the VPN with a message containing "expired"
    And the agent made no Okta verify call

  # Source: Okta help, citrix-netscaler-radius-user-exp.htm — "If only a single MFA option is configured …
  # end users will only be prompted for the single active MFA after normal login"
  @needs:primary-auth
  Scenario: With Google Authenticator as her only factor she is asked for its code at once, without a menu
    Given the RADIUS app asks for the password first
    And Carol is a WorkSpaces user
    And Carol has Google Authenticator on her phone
    When she signs in to the VPN with her password
    Then she is asked "Enter your Google Authenticator code"
    When she answers with her current Google Authenticator code
    Then she is signed in to the VPN

  # Source: Okta help, citrix-netscaler-radius-user-exp.htm — "If multiple MFA options are configured, users will
  # first be prompted with a request to select"; the reference agent's factorMenu: always keeps the menu for one option
  @needs:primary-auth @needs:agent-settings
  Scenario: An agent set to always show the menu offers it even for a single factor
    Given the RADIUS app asks for the password first
    And the agent shows the factor menu even when only one factor is offered
    And Carol is a WorkSpaces user
    And Carol has Google Authenticator on her phone
    When she signs in to the VPN with her password
    Then she is asked to choose a factor from "1 Google Authenticator code"

  # Source: Okta help, Agent_install_linux-conf-properties.htm — ragent.request.timeout.response.mode:
  # SEND_REJECT_ON_POLL_MFA (default) answers nothing when the time runs out outside MFA polling,
  # SEND_REJECT_ALWAYS rejects, NO_RESPONSE answers nothing
  @needs:clock-control
  Scenario Outline: Okta slower than the agent's total timeout: <mode> <what>
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    And the AD Connector waits 10 seconds for each RADIUS answer and retries 1 time
    And the agent's total request timeout is 5 seconds
    And the agent's timeout response mode is <mode>
    And Okta takes 8 seconds to answer each request
    When she signs in to WorkSpaces with her current Okta Verify code
    Then <outcome>

    Examples:
      | mode                    | what                | outcome                                                  |
      | SEND_REJECT_ON_POLL_MFA | sends nothing       | her sign-in fails because the RADIUS server did not answer |
      | SEND_REJECT_ALWAYS      | rejects             | she is rejected by the agent                             |
      | NO_RESPONSE             | sends nothing       | her sign-in fails because the RADIUS server did not answer |

  # Source: Okta help, Agent_install_linux-conf-properties.htm — ragent.num_request_threads (default 15);
  # radius-best-pract-ts.htm — "Request queue is full … the RADIUS Server Agent rejects logins because it's reached
  # the maximum number of request threads and connections it can process"
  @needs:agent-settings @needs:clock-control @needs:metrics
  Scenario: With every request thread busy the agent rejects the next sign-in at once instead of queueing it
    Given the agent decides at most 1 request at once
    And Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    And Bob is a WorkSpaces user
    And Bob has Okta Verify on his phone
    And Okta takes 2 seconds to answer each request
    When Alice and Bob sign in to WorkSpaces at the same time with their current Okta Verify codes
    Then one of Alice and Bob is signed in and the other is rejected by the agent with a message containing "busy"
    And the agent counted 1 request as "request-queue-full"

  # Source: Okta help, Okta_Radius_App-gen-config-app.htm — "If this access is disabled, users with no enrolled MFA are
  # required to enroll in Okta before authenticating. To permit inline enrollment, check the box." (the box cleared, the
  # default; with it checked see okta-inline-enrolment.feature)
  @needs:primary-auth
  Scenario: Without inline enrolment, a user with no factor is told to enrol in Okta first
    Given the RADIUS app asks for the password first
    And the org's sign-on policy requires MFA
    And Frank is a WorkSpaces user
    And Frank has no MFA factor enrolled
    When he signs in to the VPN with his password
    Then he is refused by the VPN with a message containing "enroll"
    And the agent made no Okta verify call
