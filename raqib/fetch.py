"""One bounded HTTP GET, for `raqib check URL` (the crawl itself fetches through Scrapy).

A page is read up to ``max_bytes`` — compressed and, separately, decompressed — so a
gzip/deflate/brotli bomb (2 MB on the wire, 2 GiB unpacked) is refused after reading
at most ``max_bytes`` of output, 64 KiB at a time, instead of filling memory.
httpx's own decoders unpack each network chunk in one go and read redirect bodies in
full, so the body is read raw and redirects are followed here, each hop checked
against the crawl's network policy (``raqib.netpolicy``): the URL the user typed is
trusted like a source's own host, where its redirects lead is not.
"""

from __future__ import annotations

import socket
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import brotli

from raqib.netpolicy import IPNetwork, refusal, scheme_refusal

CHUNK = 64 * 1024
MAX_REDIRECTS = 5
ACCEPT_ENCODING = "gzip, deflate, br"


class FetchError(Exception):
    """The page could not be fetched; ``reason`` is a short machine-readable kind."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes


def _too_large(max_bytes: int, what: str) -> FetchError:
    return FetchError("too_large", f"{what} exceeds {max_bytes} bytes (setting max_response_bytes)")


def _inflate(data: bytes, wbits: int, max_bytes: int) -> bytes:
    d = zlib.decompressobj(wbits)
    out, size = [], 0
    while True:
        piece = d.decompress(data, CHUNK)
        size += len(piece)
        if size > max_bytes:
            raise _too_large(max_bytes, "the decompressed response")
        out.append(piece)
        stuck = not piece and d.unconsumed_tail == data
        data = d.unconsumed_tail
        if d.eof or stuck or not (data or piece):
            break
    return b"".join(out)


def _unbrotli(data: bytes, max_bytes: int) -> bytes:
    d = brotli.Decompressor()
    out, size = [], 0
    piece = d.process(data, output_buffer_limit=CHUNK)
    while True:
        size += len(piece)
        if size > max_bytes:
            raise _too_large(max_bytes, "the decompressed response")
        out.append(piece)
        if d.is_finished() or not piece:
            break
        piece = d.process(b"", output_buffer_limit=CHUNK)
    return b"".join(out)


def decode_body(raw: bytes, content_encoding: str, max_bytes: int) -> bytes:
    """Undo Content-Encoding (applied in the order listed), never producing more than
    ``max_bytes``; raises FetchError ("too_large", "bad_encoding")."""
    body = raw
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",") if c.strip()]):
        try:
            if coding in ("gzip", "x-gzip"):
                body = _inflate(body, 16 + zlib.MAX_WBITS, max_bytes)
            elif coding == "deflate":
                try:
                    body = _inflate(body, zlib.MAX_WBITS, max_bytes)
                except zlib.error:           # raw deflate, as some servers send it
                    body = _inflate(body, -zlib.MAX_WBITS, max_bytes)
            elif coding == "br":
                body = _unbrotli(body, max_bytes)
            elif coding != "identity":
                raise FetchError("bad_encoding", f"unsupported Content-Encoding {coding!r}")
        except (zlib.error, brotli.error) as exc:
            raise FetchError("bad_encoding", f"cannot decode {coding} response: {exc}") from None
    return body


def _addresses(host: str, port: int) -> list[str]:
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})
    except OSError as exc:
        raise FetchError("fetch_failed", f"cannot resolve {host}: {exc}") from None


def _check_hop(url: str, trusted: list[str], allowed: list[IPNetwork]) -> None:
    why = scheme_refusal(url)
    parts = urlsplit(url)
    if not why and not parts.hostname:
        why = "the URL names no host"
    if not why:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        for address in _addresses(parts.hostname, port):
            why = refusal(address, trusted, allowed)
            if why:
                break
    if why:
        raise FetchError("refused", f"refused {url[:300]}: {why}")


def fetch(url: str, *, user_agent: str, timeout: float, max_bytes: int,
          allowed_networks: list[IPNetwork] | None = None) -> Fetched:
    """GET ``url`` following up to 5 redirects; the body (compressed and decompressed)
    is at most ``max_bytes``.  Raises FetchError."""
    import httpx

    allowed = allowed_networks or []
    first = urlsplit(url)
    trusted = _addresses(first.hostname, first.port or 80) if first.hostname else []
    headers = {"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers) as client:
            for _ in range(MAX_REDIRECTS + 1):
                _check_hop(url, trusted, allowed)
                with client.stream("GET", url) as resp:
                    location = resp.headers.get("location")
                    if resp.is_redirect and location:
                        url = urljoin(str(resp.url), location)   # the redirect's own body is never read
                        continue
                    declared = resp.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise _too_large(max_bytes, f"the response ({declared} bytes declared)")
                    raw, size = [], 0
                    for chunk in resp.iter_raw(CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            raise _too_large(max_bytes, "the response")
                        raw.append(chunk)
                    body = decode_body(b"".join(raw), resp.headers.get("content-encoding", ""), max_bytes)
                    return Fetched(str(resp.url), resp.status_code, resp.headers.get("content-type", ""), body)
    except httpx.HTTPError as exc:
        raise FetchError("fetch_failed", f"{type(exc).__name__}: {exc}") from None
    raise FetchError("fetch_failed", f"more than {MAX_REDIRECTS} redirects")
