"""*Test Connection*: one cheap authenticated call, the connection's own Account."""

from __future__ import annotations

from typing import Final

from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.retry import RetryPolicy
from connector.contract import ConnectionCheck
from connector.errors import ConnectorError, RemoteError, RetriableError
from connector.xml import parse_xml

#: A user pressing *Test Connection* wants an answer in a second or two, not after the minute of
#: backoff a run spends riding out an outage: two quick retries (a 503 burst still passes).
CHECK_RETRY: Final = RetryPolicy(max_retries=2, base_delay=0.25)


def check_connection(client: AtomSphereClient) -> ConnectionCheck:
    """Read the account the connection names; the message says what worked or what did not.

    Only a readable Account is a working connection: a 403 means the credentials are valid but
    every call on this account id will be refused too (a wrong ``account_id``, or a user
    without API access), so it fails like any other HTTP error.
    """
    client = client.retrying(CHECK_RETRY)
    connection = client.connection
    target = connection.target
    account = connection.account_id
    try:
        body = client.get(client.catalog.object("Account"), account)
    except ConnectorError as exc:
        return ConnectionCheck(False, connection.scrub(_refused(account, exc)), target)
    name = parse_xml(body, source="Account").get("name")  # client.get parsed it already
    shown = f"{account} ({name})" if name else account
    return ConnectionCheck(
        True, connection.scrub(f"connected to account {shown} as {connection.username}"), target
    )


def _refused(account: str, exc: ConnectorError) -> str:
    """The HTTP status and the API's message; a transport failure says the API was not reached."""
    if isinstance(exc, RemoteError) and exc.status is not None:
        text = str(exc)
        shown = text if f"HTTP {exc.status}" in text else f"HTTP {exc.status}: {text}"
        if exc.status == 403:
            shown += (
                f" (the credentials were accepted, but not for account {account}: check the "
                "connection's account_id, and that this user has API access to it)"
            )
        return f"account {account}: {shown}"
    if isinstance(exc, RetriableError):  # refused, reset or timed out: no answer at all
        return f"could not reach the API: {exc}"
    return f"account {account}: {exc}"  # an answer that is not the API's XML
