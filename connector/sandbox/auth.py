"""Who is calling: HTTP Basic with ``user:password`` or ``BOOMI_TOKEN.user:token``.

An ``X-Boomi-OTP`` header is accepted alongside (two-factor accounts send it); the sandbox has
no second factor to check it against. The unprivileged user authenticates but is refused every
call with Boomi's 403 text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
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
    """Who sent ``authorization``. The user name and the secret are both compared, in constant
    time over digests of equal length, whichever is wrong: the time taken and the answer (401)
    give no hint which part was."""
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
    secret_ok = _same(secret, expected)
    is_user = _same(user, config.username)
    is_unprivileged = _same(user, config.unprivileged_username)
    if secret_ok and is_user:
        return Caller.USER
    if secret_ok and is_unprivileged:
        return Caller.UNPRIVILEGED
    return Caller.ANONYMOUS


def _same(given: str, expected: str) -> bool:
    """Constant-time equality; hashing first hides the expected value's length too."""
    digest = hashlib.sha256
    return hmac.compare_digest(digest(given.encode()).digest(), digest(expected.encode()).digest())
