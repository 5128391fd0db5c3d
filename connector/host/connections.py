"""Connections a process names: loaded once, handed to connectors, scrubbed from every record.

A connector receives its connection as the mapping of ``plugin.yaml`` field ids the hooks
promise. The host keeps beside it the secret values (the descriptor's password fields), so the
reports, archives and messages it writes can be scrubbed of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pluggy

from connector.atomsphere.connection import (
    Connection,
    connection_from_mapping,
    load_connection_file,
)
from connector.descriptor import PluginDescriptor
from connector.errors import ConfigError, Problem
from connector.host.model import ConnectionRef

ATOMSPHERE = "atomsphere"


def installed_connectors(pm: pluggy.PluginManager) -> dict[str, PluginDescriptor]:
    """Every connector the installed plugins register, by id."""
    found: dict[str, PluginDescriptor] = {}
    pm.hook.connector_register_connectors(register=lambda d: found.setdefault(d.id, d))
    return found


def load_connection(
    name: str,
    connector: str,
    *,
    file: Path | None,
    fields: Mapping[str, Any] | None,
    descriptors: Mapping[str, PluginDescriptor],
    where: Problem,
    env: Mapping[str, str] | None = None,
) -> ConnectionRef:
    """Build one named connection; ``where`` locates it in the process file for errors, and
    ``env`` answers a connection file's ``${VAR}`` references (default: the environment)."""
    descriptor = descriptors.get(connector)
    if descriptor is None:
        installed = ", ".join(sorted(descriptors)) or "none"
        raise ConfigError(
            [
                _here(
                    where,
                    f"no installed plugin provides connector {connector!r} "
                    f"(installed: {installed})",
                )
            ]
        )
    if connector == ATOMSPHERE:
        if file is not None:
            atomsphere = load_connection_file(file, env)
        else:
            atomsphere = _inline(fields or {}, where)
        return ConnectionRef(name, connector, atomsphere_fields(atomsphere), atomsphere.secrets)
    if file is not None:
        raise ConfigError(
            [
                _here(
                    where,
                    "connection files are read for the atomsphere "
                    "connector only: write this connector's fields inline "
                    "under `fields`",
                )
            ]
        )
    values = dict(fields or {})
    secrets = tuple(str(values[f]) for f in descriptor.secret_fields if values.get(f))
    return ConnectionRef(name, connector, values, secrets)


def atomsphere_fields(connection: Connection) -> dict[str, Any]:
    """The AtomSphere connection as ``plugin.yaml`` field ids, which is what hooks receive:
    every field, so that the connector builds the very same connection from them."""
    fields: dict[str, Any] = {
        "base_url": connection.base_url,
        "account_id": connection.account_id,
        "auth_type": connection.auth_type,
        "username": connection.username,
        "timeout_seconds": connection.timeout_seconds,
        "rate_limit": connection.rate_limit,
        "verify_tls": connection.verify_tls,
        "api": connection.api,
    }
    secret_field = "api_token" if connection.auth_type == "token" else "password"
    fields[secret_field] = connection.secret.reveal()
    if connection.otp:
        fields["otp"] = connection.otp.reveal()
    return fields


def _inline(fields: Mapping[str, Any], where: Problem) -> Connection:
    """The connection written under ``fields``; a problem names the field it is about."""
    try:
        return connection_from_mapping(fields, source=where.source)
    except ConfigError as exc:
        raise ConfigError(
            [
                _here(where, f"fields.{p.field}: {p.message}" if p.field else p.message)
                for p in exc.problems
            ]
        ) from None


def _here(where: Problem, message: str) -> Problem:
    return Problem(message, where.source, where.line, where.field)
