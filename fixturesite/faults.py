"""Fault modes: what a misbehaving news site does to a crawler, on demand.

A fault is set per outlet and path glob (`fnmatch`, tried against the path with and
without its query).  The server consults `FaultTable.match` before answering; the
modes themselves are carried out in `server.py` because they need the socket.
`times=N` limits a fault to its next N matching requests (e.g. one 503, then OK).
"""

from __future__ import annotations

import fnmatch
import gzip
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

MODES = ("status", "broken_xml", "hang", "drip", "truncate", "reset", "redirect_loop", "huge",
         "gzip_bomb", "no_charset", "delay", "stub")


@dataclass
class Fault:
    outlet: str
    path_glob: str
    mode: str
    params: dict = field(default_factory=dict)
    remaining: int | None = None     # None: forever

    def matches(self, outlet: str, path_qs: str) -> bool:
        path = path_qs.split("?", 1)[0]
        return outlet == self.outlet and (fnmatch.fnmatchcase(path_qs, self.path_glob)
                                          or fnmatch.fnmatchcase(path, self.path_glob))


class FaultTable:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, outlet: str, path_glob: str, mode: str, params: dict) -> Fault:
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; expected one of {', '.join(MODES)}")
        times = params.pop("times", None)
        fault = Fault(outlet, path_glob, mode, params, times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def match(self, outlet: str, path_qs: str) -> Fault | None:
        """The most recently set fault that applies; consumes one use of a `times` fault."""
        with self._lock:
            for fault in reversed(self._faults):
                if fault.matches(outlet, path_qs):
                    if fault.remaining is not None:
                        if fault.remaining <= 0:
                            continue
                        fault.remaining -= 1
                    return fault
        return None


def broken_xml(body: bytes) -> bytes:
    """The feed/sitemap cut off inside its first entry, with an undefined entity:
    invalid XML from which no entry (no link/loc) can be salvaged."""
    text = body.decode("utf-8", errors="replace") if body[:100].lower().find(b"1256") < 0 \
        else body.decode("cp1256", errors="replace")
    for marker in ("<item>", "<entry>", "<url>", "<sitemap>"):
        cut = text.find(marker)
        if cut >= 0:
            break
    else:
        cut = len(text) // 2
    broken = text[:cut] + marker_garbage()
    encoding = "cp1256" if "1256" in text[:100] else "utf-8"
    return broken.encode(encoding, errors="xmlcharrefreplace")


def marker_garbage() -> str:
    return "<item><title>خبر &nbsp; &bogus; غير مكتمل <b>"


@lru_cache(maxsize=4)
def gzip_bomb(size_mb: int) -> bytes:
    """`size_mb` MiB of spaces, gzip-compressed to roughly a thousandth of that."""
    chunk = b" " * (1024 * 1024)
    import io
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(b"<html><body><p>")
        for _ in range(size_mb):
            gz.write(chunk)
    return buf.getvalue()


def huge_chunks(size_mb: int, chunk_size: int = 64 * 1024):
    """An HTML page of `size_mb` MiB, produced lazily in chunks."""
    head = '<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>صفحة ضخمة</title></head><body>'.encode()
    line = ("<p>" + "نص عربي طويل جدا " * 20 + "</p>\n").encode()
    total = size_mb * 1024 * 1024
    yield head
    sent = len(head)
    block = line * max(1, chunk_size // len(line))
    while sent < total:
        part = block[: total - sent]
        sent += len(part)
        yield part


def strip_charset(body: bytes, content_type: str) -> tuple[bytes, str]:
    """(body, content type) as a careless legacy server sends a page: windows-1256
    bytes and no charset anywhere, neither in the header nor in a <meta>."""
    m = re.search(r"charset=([\w-]+)", content_type)
    if m:
        encoding = m.group(1)
    else:
        head = body[:2048].decode("ascii", errors="replace")
        encoding = "cp1256" if re.search(r"charset=\"?(windows-1256|cp1256)", head, re.I) else "utf-8"
    text = body.decode(encoding, errors="replace")
    text = re.sub(r"<meta[^>]+charset[^>]*>\s*", "", text, flags=re.I)
    return text.encode("cp1256", errors="xmlcharrefreplace"), content_type.split(";")[0]


def stub_page(canonical: str = "", amphtml: str = "") -> bytes:
    """A page with almost no text, pointing at its canonical URL: what a broken AMP copy
    or a CMS placeholder serves instead of the article (a script-rendered shell whose
    text only its AMP copy carries, when `amphtml` is given)."""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    link += f'<link rel="amphtml" href="{amphtml}">' if amphtml else ""
    return (f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">{link}'
            "<title>جار التحميل</title></head><body><p>المحتوى غير متاح مؤقتا.</p></body></html>").encode()

