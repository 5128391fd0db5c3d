"""The Partner API: a partner account acting on the accounts it manages.

Requests go to ``{base}/partner/api/rest/v1/{accountId}/…`` and carry
``?overrideAccount={subAccountId}`` to make a managed sub-account the effective account. The API
refuses the parameter only on the Partner-only actions that manage accounts themselves (Account
CREATE and DELETE, AccountProvision); the catalog, generated from the Platform API's spec, offers
none of them, so no operation the connector loads can send it there.
"""

from __future__ import annotations

from typing import Final

#: The query parameter naming the sub-account a request acts on.
OVERRIDE_PARAMETER: Final = "overrideAccount"
#: The path prefix of the Partner API (``/api/rest/v1`` for the Platform API).
PARTNER_PREFIX: Final = "/partner/api/rest/v1"
PLATFORM_PREFIX: Final = "/api/rest/v1"
#: Boomi's Partner connector reads the override account from this process property.
PROCESS_PROPERTY: Final = "boomiPartnerApi-overrideAccountId"
