"""The Partner API: ``/partner/api/rest/v1/{accountId}/…`` and ``?overrideAccount=SUB``.

Each managed sub-account (``SandboxConfig.sub_accounts``, ``--sub-account``) is an account of its
own: a sandbox with its own seed data, store, cursors and jobs, reached only through the primary
account's partner path. The primary sandbox authenticates, rate-limits (per primary account:
``overrideAccountRateLimit`` is not emulated) and routes; the sub-account's state answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from connector.sandbox.handlers import ApiError
from connector.sandbox.wire import Request

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox

PARTNER_PREFIX: Final = "/partner/api/rest/v1/"
OVERRIDE_PARAMETER: Final = "overrideAccount"
NOT_MANAGED_MESSAGE: Final = (
    "Access denied: account {account} is not in the account hierarchy of {partner}."
)


class SubAccounts:
    """The sub-accounts a partner sandbox manages, each a sandbox of its own, by id."""

    def __init__(self, parent: Sandbox, data: Path | None) -> None:
        from connector.sandbox.app import Sandbox

        config = parent.config
        self._accounts: Mapping[str, Sandbox] = {
            sub: Sandbox(
                replace(config, account_id=sub, sub_accounts=()),
                data=None if data is None else data.with_name(f"{data.stem}.{sub}{data.suffix}"),
                clock=parent.clock,
                wall_clock=parent.wall_clock,
                sleep=parent.sleep,
            )
            for sub in config.sub_accounts
        }

    def __iter__(self) -> Iterator[Sandbox]:
        return iter(self._accounts.values())

    def get(self, account: str) -> Sandbox | None:
        return self._accounts.get(account)

    def close(self) -> None:
        for sandbox in self._accounts.values():
            sandbox.close()


def effective_account(parent: Sandbox, request: Request, sub_path: str) -> Sandbox:
    """The account a partner-path request acts on: ``overrideAccount``'s, else the partner's.

    Raises :class:`ApiError` 403 for an account outside the hierarchy, 400 for an action the
    Partner API does not take the parameter on.
    """
    override = request.query_params.get(OVERRIDE_PARAMETER, "")
    if not override:
        return parent
    refused = _refused(request.method, sub_path)
    if refused:
        raise ApiError(400, f"The {OVERRIDE_PARAMETER} parameter is not supported for {refused}.")
    if override == parent.config.account_id:
        return parent
    found = parent.sub_accounts.get(override)
    if found is None:
        message = NOT_MANAGED_MESSAGE.format(account=override, partner=parent.config.account_id)
        raise ApiError(403, message)
    return found


def _refused(method: str, sub_path: str) -> str | None:
    """Account CREATE and DELETE and AccountProvision act on the partner account itself."""
    parts = sub_path.strip("/").split("/")
    if parts[0] == "Account" and method == "POST" and len(parts) == 1:
        return "Account CREATE"
    if parts[0] == "Account" and method == "DELETE" and len(parts) == 2:
        return "Account DELETE"
    if parts[0].startswith("AccountProvision"):
        return "AccountProvision"
    return None
