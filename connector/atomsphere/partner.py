"""The Partner API: a partner account acting on the accounts it manages.

Requests go to ``{base}/partner/api/rest/v1/{accountId}/…`` and carry
``?overrideAccount={subAccountId}`` to make a managed sub-account the effective account. The API
refuses the parameter on the actions that manage accounts themselves (Account CREATE and DELETE,
AccountProvision), so the connector refuses them before sending anything.
"""

from __future__ import annotations

from typing import Final

from connector.contract import Action

#: The query parameter naming the sub-account a request acts on.
OVERRIDE_PARAMETER: Final = "overrideAccount"
#: The path prefix of the Partner API (``/api/rest/v1`` for the Platform API).
PARTNER_PREFIX: Final = "/partner/api/rest/v1"
PLATFORM_PREFIX: Final = "/api/rest/v1"
#: Boomi's Partner connector reads the override account from this process property.
PROCESS_PROPERTY: Final = "boomiPartnerApi-overrideAccountId"

_REFUSED: Final = frozenset({("Account", Action.CREATE), ("Account", Action.DELETE)})


def override_refused(object_name: str, action: Action) -> str | None:
    """Why the API refuses ``overrideAccount`` on this action, or None when it accepts it."""
    if (object_name, action) in _REFUSED or object_name.startswith("AccountProvision"):
        return (
            f"the Partner API does not accept {OVERRIDE_PARAMETER} on {object_name} "
            f"{action.value}: it acts on the partner account itself"
        )
    return None
