"""*Test Connection*: one cheap authenticated call, the connection's own Account."""

from __future__ import annotations

from connector.atomsphere.client import AtomSphereClient
from connector.contract import ConnectionCheck
from connector.errors import ApplicationError, AuthenticationError, ConnectorError
from connector.xml import parse_xml


def check_connection(client: AtomSphereClient) -> ConnectionCheck:
    """Read the account the connection names; the message says what worked or what did not."""
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
