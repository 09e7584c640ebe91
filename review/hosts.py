"""Which Host and Origin the review page answers to: the defence against DNS rebinding
and cross-site form posts.

DNS rebinding: a page on ``evil.example`` makes its own name resolve to 127.0.0.1,
and the browser then lets that page read the review page as if it were
``evil.example``'s own (same origin); only the ``Host: evil.example`` header gives
it away.  So a request must name a host this server is: an IP literal (a literal
cannot be rebound: it is the origin) of the bound address — any loopback address
when bound to loopback, any address when bound to 0.0.0.0/:: —, ``localhost``
(``*.localhost`` always resolves to this machine) when the loopback interface is
served, the bound name itself, or one of the names in the setting
``serve_public_name`` (the name behind a reverse proxy).

Starlette's ``TrustedHostMiddleware`` takes a fixed list of names, which cannot say
"any loopback address" or "any IP literal" and mishandles ``[::1]:port``; hence this
small policy.

State-changing requests must also come from this origin: a browser names the page
that submitted a form in ``Origin`` (or at least ``Referer``).  A request with
neither is not from a browser page and is left to the CSRF token.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Iterable
from urllib.parse import urlsplit

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_ip(host: str) -> IP | None:
    """``host`` as an IP address, also in the short forms the resolver accepts
    (``127.1``, ``0x7f.1``) and with IPv4-mapped IPv6 unwrapped; None for a name."""
    h = host.strip().strip("[]").split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        if not re.fullmatch(r"(0[xX][0-9a-fA-F]+|[0-9]+)(\.(0[xX][0-9a-fA-F]+|[0-9]+)){0,3}", h):
            return None
        try:
            ip = ipaddress.IPv4Address(socket.inet_aton(h))
        except OSError:
            return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the page on this machine (any 127/8 address in
    any spelling, ``::1``, ``localhost``)."""
    if host.strip().lower().rstrip(".") in ("localhost", "ip6-localhost", "ip6-loopback"):
        return True
    ip = parse_ip(host)
    return ip is not None and ip.is_loopback


def split_host(value: str) -> tuple[str, int | None]:
    """``Host`` header → (lower-case name or address without brackets, port or None)."""
    value = value.strip().lower()
    m = re.fullmatch(r"\[([0-9a-f:.%a-z]+)\](?::(\d+))?", value) or re.fullmatch(r"([^:\[\]]*)(?::(\d+))?", value)
    if not m:
        return "", None
    return m.group(1).rstrip("."), int(m.group(2)) if m.group(2) else None


class HostPolicy:
    """The hosts one ``raqib serve`` answers to (see the module docstring)."""

    def __init__(self, bind_host: str = "127.0.0.1", public_names: Iterable[str] = ()):
        self.bind_name = bind_host.strip().lower().strip("[]").rstrip(".")
        self.bind_ip = parse_ip(bind_host)
        self.wildcard = self.bind_name == "" or (self.bind_ip is not None and self.bind_ip.is_unspecified)
        self.loopback = self.wildcard or is_loopback(bind_host)
        self.public = {n.strip().lower().rstrip(".") for n in public_names if n.strip()}

    def host_ok(self, header: str) -> bool:
        name, _ = split_host(header)
        if not name:
            return False
        if name in self.public or name == self.bind_name:
            return True
        ip = parse_ip(name)
        if ip is not None:
            return self.wildcard or (self.loopback and ip.is_loopback) or ip == self.bind_ip
        return self.loopback and (name == "localhost" or name.endswith(".localhost"))

    def same_origin(self, origin: str | None, referer: str | None, host_header: str) -> bool:
        """Whether a state-changing request comes from this site: its ``Origin`` (else
        ``Referer``) names the same host and port as ``Host``, or a public name."""
        source = origin if origin is not None else referer
        if source is None:
            return True
        try:
            parts = urlsplit(source.strip())
            port = parts.port or DEFAULT_PORTS.get(parts.scheme)
        except ValueError:
            return False
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return False            # "null" (sandboxed frames, data: pages) and odd schemes
        name = parts.hostname.rstrip(".")
        if name in self.public:
            return True
        host, host_port = split_host(host_header)
        if host_port is None:
            return name == host and port == DEFAULT_PORTS.get(parts.scheme)
        return name == host and port == host_port
