"""The network policy (``raqib.netpolicy``) applied to every request a crawl makes.

Two parts, because checking a URL is not enough on its own:

- ``NetworkPolicyMiddleware`` (a downloader middleware) sees every request: entry
  points, article links, robots.txt, and each redirect hop (Scrapy's redirect
  middleware sends the new request through the whole chain again).  It refuses
  schemes other than http/https, resolves the host and refuses the request when any
  address it resolves to is one the source may not reach.
- ``PinnedResolver`` (Scrapy's ``TWISTED_DNS_RESOLVER``) makes the connection use
  exactly the addresses the middleware checked: a host is resolved once per crawl
  process and pinned, and a host that was never checked resolves to nothing.  So a
  DNS answer that changes between the check and the connection (DNS rebinding), or a
  request that somehow skipped the middleware, cannot reach an unchecked address.
  Pins last for the crawl process; the daemon starts one process per crawl.

A refused request fails with ``RefusedURL``; the spiders' errbacks record it against
the source with its URL and reason like any other failed request, and the crawl goes on.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any, Sequence
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer, provider

from raqib.netpolicy import parse_networks, refusal, scheme_refusal

log = logging.getLogger(__name__)


class RefusedURL(IgnoreRequest):
    """A request the network policy does not allow (scheme or address)."""


def _key(host: str) -> str:
    """One spelling per host: Scrapy's URLs carry punycode, Twisted's endpoints ask for
    the Unicode form of an IDN host."""
    host = host.strip("[]").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


# host key → [(address, flowinfo, scope_id)], for the whole crawl process.
_PINNED: dict[str, list[tuple[str, int, int]]] = {}


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:  # pragma: no cover - nothing to cancel: answers come from memory
        pass


@implementer(IHostnameResolver)
class PinnedResolver:
    """Answers the connection's DNS question with the addresses the middleware checked."""

    def __init__(self, reactor):
        self.reactor = reactor
        self.original = reactor.nameResolver
        # Proxies the operator configured (http_proxy, https_proxy: Scrapy's
        # HttpProxyMiddleware uses them) are resolved normally: they are not links
        # someone else wrote, and the checked target is reached through them.
        self.passthrough = {_key(h) for h in (urlsplit(u).hostname for u in getproxies().values()
                                              if isinstance(u, str) and "://" in u) if h}

    @classmethod
    def from_crawler(cls, crawler, reactor) -> "PinnedResolver":
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def lookup(self, host: str) -> defer.Deferred:
        """Resolve ``host`` (once per process) and pin the answer; fires with the list of
        address strings (empty when the name does not resolve)."""
        key = _key(host)
        if key in _PINNED:
            return defer.succeed([a for a, _, _ in _PINNED[key]])
        try:
            ipaddress.ip_address(key)
        except ValueError:
            pass
        else:
            _PINNED[key] = [(key, 0, 0)]
            return defer.succeed([key])
        done: defer.Deferred = defer.Deferred()
        found: list[tuple[str, int, int]] = []

        @provider(IResolutionReceiver)
        class Receiver:
            @staticmethod
            def resolutionBegan(resolution):
                pass

            @staticmethod
            def addressResolved(address):
                entry = (address.host, getattr(address, "flowInfo", 0), getattr(address, "scopeID", 0))
                if entry not in found:
                    found.append(entry)

            @staticmethod
            def resolutionComplete():
                if found:       # a failed lookup is not pinned: the next request asks again
                    _PINNED.setdefault(key, found)
                done.callback([a for a, _, _ in _PINNED.get(key, [])])

        self.original.resolveHostName(Receiver, key, 0)
        return done

    def resolveHostName(self, resolutionReceiver, hostName: str, portNumber: int = 0,
                        addressTypes: Sequence[type] | None = None, transportSemantics: str = "TCP"):
        if _key(hostName) in self.passthrough:
            return self.original.resolveHostName(resolutionReceiver, hostName, portNumber, addressTypes,
                                                 transportSemantics)
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        pinned = _PINNED.get(_key(hostName))
        if pinned is None:
            log.warning("network policy: %s was not checked before connecting; refusing to resolve it", hostName)
        for host, flow, scope in pinned or ():
            v6 = ":" in host
            cls = IPv6Address if v6 else IPv4Address
            if addressTypes is not None and cls not in addressTypes:
                continue
            address = (IPv6Address("TCP", host, portNumber, flow, scope) if v6
                       else IPv4Address("TCP", host, portNumber))
            resolutionReceiver.addressResolved(address)
        resolutionReceiver.resolutionComplete()
        return resolution


def _lookup(host: str) -> defer.Deferred:
    from twisted.internet import reactor

    resolver = reactor.nameResolver
    if not isinstance(resolver, PinnedResolver):
        raise NotConfigured("TWISTED_DNS_RESOLVER must be spiders.netguard.PinnedResolver")
    return resolver.lookup(host)


class NetworkPolicyMiddleware:
    """Refuse, before download, every request the network policy does not allow."""

    def __init__(self, crawler, allowed_networks):
        self.crawler = crawler
        self.allowed = allowed_networks
        self._source_addresses: list[str] | None = None

    @classmethod
    def from_crawler(cls, crawler) -> "NetworkPolicyMiddleware":
        cfg = crawler.settings.getdict("RAQIB")
        return cls(crawler, parse_networks(cfg.get("allowed_networks", "") or ""))

    async def _addresses_of_source(self) -> list[str]:
        """Where the source's own hosts (homepage, entry points) resolve: an intranet
        source may reach its own kind of network."""
        if self._source_addresses is None:
            source = getattr(self.crawler.spider, "source", None)
            addresses: list[str] = []
            for host in getattr(source, "domains", ()):
                addresses += await maybe_deferred_to_future(_lookup(host))
            self._source_addresses = addresses
        return self._source_addresses

    def _refuse(self, request, reason: str):
        source = getattr(getattr(self.crawler.spider, "source", None), "name", "?")
        via = request.meta.get("redirect_urls")
        log.warning("%s: refused %s%s: %s", source, request.url[:300],
                    f" (redirected from {via[0][:300]})" if via else "", reason)
        self.crawler.stats.inc_value("raqib/refused")
        raise RefusedURL(reason)

    async def process_request(self, request, spider=None) -> Any:
        reason = scheme_refusal(request.url)
        if reason:
            self._refuse(request, reason)
        host = urlparse_cached(request).hostname
        if not host:
            self._refuse(request, "the URL names no host")
        addresses = await maybe_deferred_to_future(_lookup(host))
        if not addresses:
            raise DNSLookupError(f"{host} does not resolve")
        own = await self._addresses_of_source()
        for address in addresses:
            reason = refusal(address, own, self.allowed)
            if reason:
                self._refuse(request, reason)
        return None
