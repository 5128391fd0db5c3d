"""Who is calling: HTTP Basic with ``user:password`` or ``BOOMI_TOKEN.user:token``.

An ``X-Boomi-OTP`` header is accepted alongside (two-factor accounts send it); the sandbox has
no second factor to check it against. The unprivileged user authenticates but is refused every
call with Boomi's 403 text.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from enum import Enum
from typing import Final

from connector.sandbox.config import SandboxConfig

TOKEN_PREFIX: Final = "BOOMI_TOKEN."
FORBIDDEN_MESSAGE: Final = "Access denied due to insufficient permissions."
UNAUTHORIZED_MESSAGE: Final = "Unauthorized: the user name or password (or API token) is not valid."


class Caller(Enum):
    ANONYMOUS = "anonymous"
    USER = "user"
    UNPRIVILEGED = "unprivileged"


def authenticate(config: SandboxConfig, authorization: str) -> Caller:
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return Caller.ANONYMOUS
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return Caller.ANONYMOUS
    user, separator, secret = decoded.partition(":")
    if not separator:
        return Caller.ANONYMOUS
    expected = config.password
    if user.startswith(TOKEN_PREFIX):
        user = user[len(TOKEN_PREFIX) :]
        expected = config.api_token
    if not hmac.compare_digest(secret.encode(), expected.encode()):
        return Caller.ANONYMOUS
    if user == config.username:
        return Caller.USER
    if user == config.unprivileged_username:
        return Caller.UNPRIVILEGED
    return Caller.ANONYMOUS
