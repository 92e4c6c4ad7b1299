@area:fidelity @needs:okta-mock @needs:agent-settings
Feature: Okta groups in the Access-Accept, for the RADIUS client's authorization
  With "Include groups in RADIUS response" the agent passes, on an
  Access-Accept, the Okta groups the administrator listed that the user belongs
  to — only those — in the RADIUS attribute chosen (11 Filter-Id, 25 Class or
  26 Vendor-Specific). The AD Connector ignores them; a VPN uses them to decide
  what the user may reach. The requests here come from a plain RADIUS client.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone
    And Alice is in the Okta groups "Everyone, WorkSpaces-Users, Sales, VPN-Admins"

  # Source: Okta help, Okta_Radius_App-gen-group-auth.htm — "if a user belongs to four groups, but you only list two
  # of the four in this field, Okta will only pass the two groups"
  Scenario: Only the listed groups she belongs to come back, in Class attributes
    Given the RADIUS app includes the groups "VPN-Admins, WorkSpaces-Users, Finance" in "Class" attributes
    When a RADIUS client sends Alice's current Okta Verify code
    Then the agent answers with Access-Accept
    And the reply carries the "Class" attributes "WorkSpaces-Users, VPN-Admins"

  # Source: Okta help, Okta_Radius_App-gen-group-auth.htm — "11 Filter-ID, 25 Class, and 26 Vendor-Specific"
  Scenario: The same groups in Filter-Id attributes when the app says so
    Given the RADIUS app includes the groups "VPN-Admins" in "Filter-Id" attributes
    When a RADIUS client sends Alice's current Okta Verify code
    Then the agent answers with Access-Accept
    And the reply carries the "Filter-Id" attributes "VPN-Admins"

  # Source: Okta help, Okta_Radius_App-gen-group-auth.htm — "if your user doesn't belong to either of the two groups you
  # listed … Okta will not return any group for that specific user"
  Scenario: A user in none of the listed groups is accepted with no group attribute
    Given the RADIUS app includes the groups "Finance" in "Class" attributes
    When a RADIUS client sends Alice's current Okta Verify code
    Then the agent answers with Access-Accept
    And the reply carries the "Class" attributes ""

  # Source: as above — groups go with an Access-Accept only
  Scenario: A rejected request carries no group
    Given the RADIUS app includes the groups "VPN-Admins" in "Class" attributes
    When a RADIUS client sends "000000" as Alice's MFA code
    Then the agent answers with Access-Reject
    And the reply carries the "Class" attributes ""
