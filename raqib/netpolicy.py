"""What the crawler may connect to: the scheme and address policy, as pure functions.

A feed, sitemap, listing or redirect is written by someone else.  Left alone it can
make the crawler read local files (``file:``) or reach services that only trust the
machine's own network — the cloud metadata address ``169.254.169.254``, an admin page
on ``10.0.0.1`` (server-side request forgery).  So:

- only ``http`` and ``https`` are ever fetched;
- an address that is not globally routable (loopback, link-local, private,
  multicast, unspecified, reserved) is refused, unless the source's own host is in
  the same kind of range (an intranet source; the fixture sites on 127.0.0.1) or the
  ``allowed_networks`` setting lists a network containing it.

The spiders apply this to every request, redirect hops included, after DNS
resolution (``spiders.netguard``).  Nothing here does I/O, so the policy is tested
as a table.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Sequence
from urllib.parse import urlsplit

from raqib.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

FETCHABLE_SCHEMES = ("http", "https")

_PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def scheme_refusal(url: str) -> str | None:
    """Why ``url`` must not be fetched because of its scheme (None: http or https)."""
    scheme = urlsplit(url.strip()).scheme.lower()
    if scheme in FETCHABLE_SCHEMES:
        return None
    shown = f"scheme {scheme!r}" if scheme else "no scheme"
    return f"{shown} is never fetched (only http and https)"


def _embedded_v4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped ``::ffff:a.b.c.d``, 6to4,
    NAT64), which is where a connection to it really goes."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_kind(ip: IPAddress) -> str:
    """'public' or the kind of special range ``ip`` is in: unspecified, loopback,
    link-local, multicast, private, reserved (any other non-global range: shared
    100.64/10, documentation, benchmarking, 240/4, broadcast...)."""
    ip = _embedded_v4(ip) or ip
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if any(ip in n for n in _PRIVATE if n.version == ip.version):
        return "private"
    if not ip.is_global or ip.is_reserved:
        return "reserved"
    return "public"


def refusal(address: str | IPAddress, source_addresses: Iterable[str | IPAddress] = (),
            allowed_networks: Sequence[IPNetwork] = ()) -> str | None:
    """Why a connection to ``address`` must not be made for a source whose own hosts
    resolve to ``source_addresses`` (None: allowed).

    A non-public address is allowed only when one of the source's own addresses is of
    the same kind (a loopback source may reach loopback, an intranet source private
    addresses) or an allowed network contains it.
    """
    ip = ipaddress.ip_address(address)
    kind = address_kind(ip)
    if kind == "public":
        return None
    targets = [ip] + ([_embedded_v4(ip)] if _embedded_v4(ip) else [])
    if any(t in n for t in targets for n in allowed_networks if n.version == t.version):
        return None
    if any(address_kind(ipaddress.ip_address(a)) == kind for a in source_addresses):
        return None
    return (f"{ip} is a {kind} address; only a source whose own host is {kind} may reach it "
            f"(or list its network in the allowed_networks setting)")


def parse_networks(text: str, origin: str = "settings") -> list[IPNetwork]:
    """The ``allowed_networks`` setting: comma-separated CIDRs (``10.1.0.0/16, fd00::/8``)."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ConfigError(origin, f"not a network in CIDR form: {part!r} ({exc})",
                              field="allowed_networks") from None
    return networks
