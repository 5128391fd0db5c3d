"""*Test Connection*: one cheap authenticated call, the connection's own Account."""

from __future__ import annotations

from typing import Final

from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.retry import RetryPolicy
from connector.contract import ConnectionCheck
from connector.errors import ApplicationError, AuthenticationError, ConnectorError
from connector.xml import parse_xml

#: A user pressing *Test Connection* wants an answer in a second or two, not after the minute of
#: backoff a run spends riding out an outage: two quick retries (a 503 burst still passes).
CHECK_RETRY: Final = RetryPolicy(max_retries=2, base_delay=0.25)


def check_connection(client: AtomSphereClient) -> ConnectionCheck:
    """Read the account the connection names; the message says what worked or what did not."""
    client = client.retrying(CHECK_RETRY)
    connection = client.connection
    target = connection.target
    account = connection.account_id
    try:
        body = client.get(client.catalog.object("Account"), account)
    except AuthenticationError as exc:
        return ConnectionCheck(False, connection.scrub(str(exc)), target)
    except ApplicationError as exc:
        if exc.status == 403:
            message = (
                f"credentials accepted, but this user may not read account {account} "
                f"(HTTP 403: {exc})"
            )
            return ConnectionCheck(True, connection.scrub(message), target)
        message = f"account {account}: HTTP {exc.status}: {exc}"
        return ConnectionCheck(False, connection.scrub(message), target)
    except ConnectorError as exc:
        return ConnectionCheck(False, connection.scrub(f"could not reach the API: {exc}"), target)
    name = parse_xml(body, source="Account").get("name")
    shown = f"{account} ({name})" if name else account
    return ConnectionCheck(
        True, connection.scrub(f"connected to account {shown} as {connection.username}"), target
    )
