"""Which requests a local HTTP server answers: those addressed to it, from no other site's page.

A page open in the user's browser can send a simple request (a form's ``POST``, ``text/plain``)
to any address, and through DNS rebinding can even read the answer under its own name. The
servers that act for the user on loopback (the designer, the sandbox's admin API) therefore
check the ``Host`` a request names (:meth:`HostNames.serves`) and refuse a foreign ``Origin``
(:func:`cross_origin`); their writes take JSON only, which a page cannot send without a CORS
preflight that they never answer.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Final

LOOPBACK: Final = ("127.0.0.1", "localhost", "[::1]")
LOOPBACK_BINDS: Final = ("127.0.0.1", "::1", "localhost")
#: Addresses that bind every interface, and the loopback address each is opened on.
WILDCARD: Final = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}


@dataclass(frozen=True)
class HostNames:
    """The ``Host`` values (``name:port``, lower case) a server bound to ``host:port`` answers."""

    port: int
    #: Bound to every interface (``0.0.0.0``, ``::``).
    wildcard: bool
    allowed: frozenset[str]
    #: The server's URL, ``http://name:port/``, on loopback when it is bound to every interface.
    url: str

    @classmethod
    def bound(cls, host: str, port: int) -> HostNames:
        wildcard = host in WILDCARD
        shown = f"[{host}]" if ":" in host else host
        if host in LOOPBACK_BINDS:
            names = {*LOOPBACK, shown}
        elif wildcard:
            names = {*LOOPBACK, socket.gethostname()}
        else:
            names = {shown}
        allowed = frozenset(f"{n.lower()}:{port}" for n in names)
        return cls(port, wildcard, allowed, f"http://{WILDCARD.get(host, shown)}:{port}/")

    def serves(self, host: str) -> bool:
        """Whether a request's ``Host`` (lower case) names this server, port included.

        A DNS-rebinding page reaches the server under its attacker's own name, so names are
        checked strictly: the loopback names when bound to loopback, else the bound address.
        Bound to every interface (``0.0.0.0``, ``::``) the user chose to be reached through the
        machine's addresses, which cannot be listed reliably (several interfaces, a container's
        published port): then any IP address is accepted too, with the loopback names and the
        machine's host name. Rebinding needs a name the attacker controls; an IP address in
        ``Host`` is not one, and a request that carries it and arrives here was sent to us.
        """
        if host in self.allowed:
            return True
        address, _, port = host.rpartition(":")
        if not self.wildcard or port != str(self.port):
            return False
        try:
            if address.startswith("[") and address.endswith("]"):
                ipaddress.IPv6Address(address[1:-1])
            else:
                ipaddress.IPv4Address(address)
        except ValueError:
            return False
        return True


def cross_origin(origin: str | None, own: str) -> bool:
    """Whether a request's ``Origin`` (None: not sent) is another site than ``own``
    (``http://host:port``, the ``Host`` the request names). Browsers send ``Origin`` on every
    cross-origin write; a tool such as curl sends none and is the user's own."""
    return origin is not None and origin.lower() != own.lower()
