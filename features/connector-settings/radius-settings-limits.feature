@area:connector-settings @no-agent
Feature: The AD Connector's RADIUS settings accept exactly AWS's limits
  AWS validates RadiusSettings (EnableRadius / UpdateRadius). Each limit is
  checked at its boundary and one step past it.

  Scenario Outline: <setting> of <value> is <verdict>
    When the administrator sets the RADIUS <setting> to <value>
    Then the settings are <verdict>

    Examples: Port
      | setting | value | verdict  |
      | port    | 1024  | rejected |
      | port    | 1025  | accepted |
      | port    | 65535 | accepted |
      | port    | 65536 | rejected |

    Examples: Timeout in seconds
      | setting | value | verdict  |
      | timeout | 0     | rejected |
      | timeout | 1     | accepted |
      | timeout | 50    | accepted |
      | timeout | 51    | rejected |

    Examples: Retries
      | setting | value | verdict  |
      | retries | -1    | rejected |
      | retries | 0     | accepted |
      | retries | 10    | accepted |
      | retries | 11    | rejected |

    Examples: Shared secret length
      | setting              | value | verdict  |
      | shared secret length | 7     | rejected |
      | shared secret length | 8     | accepted |
      | shared secret length | 512   | accepted |
      | shared secret length | 513   | rejected |

    Examples: Server name length
      | setting            | value | verdict  |
      | server name length | 0     | rejected |
      | server name length | 1     | accepted |
      | server name length | 256   | accepted |
      | server name length | 257   | rejected |

    Examples: Protocol
      | setting  | value     | verdict  |
      | protocol | PAP       | accepted |
      | protocol | CHAP      | accepted |
      | protocol | MS-CHAPv1 | accepted |
      | protocol | MS-CHAPv2 | accepted |
      | protocol | EAP       | rejected |

  Scenario: A shared secret with a character outside AWS's pattern is rejected
    When the administrator sets the RADIUS shared secret to "tab	in-the-secret"
    Then the settings are rejected
    And the error does not show the shared secret
