"""The fixture news sites over real HTTP on 127.0.0.1, one port (one "domain") each.

Tests, `raqib demo` and the benchmarks crawl these servers exactly as they would
crawl the web: robots.txt, feeds, sitemaps, conditional GET, gzip, and on request
the faults real sites produce (errors, hangs, truncation, bombs).  The site also
knows its own truth (`expected_articles`) so a test can compare a crawl against it.

    with FixtureSite() as site:
        config = site.sources_toml()
        ...
        assert site.requests_for("akhbar", "/feed/")
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fixturesite import faults as _faults
from fixturesite.extras import BulkSitemaps, Extras, FeedEntry
from fixturesite.content import OUTLETS, Block, Story
from fixturesite.families import FAMILY_CLASSES
from fixturesite.outlets import Outlet, Resource, StoryStore
from fixturesite.outlets.akhbar import Akhbar
from fixturesite.outlets.bawaba import Bawaba
from fixturesite.outlets.qadim import Qadim
from fixturesite.outlets.wakala import Wakala
from fixturesite.validators import Validators, not_modified

log = logging.getLogger(__name__)

OUTLET_CLASSES: dict[str, type[Outlet]] = {"akhbar": Akhbar, "bawaba": Bawaba, "wakala": Wakala,
                                           "qadim": Qadim, **FAMILY_CLASSES}
_COMPRESSIBLE = re.compile(r"^(text/|application/(rss\+|atom\+)?xml|application/json)")


class _OutletServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site: "FixtureSite", outlet: Outlet, port: int):
        self.site = site
        self.outlet = outlet
        self.connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request, client_address):
        with self._conn_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._conn_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._conn_lock:
            conns = list(self.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fixturesite/1.0"
    timeout = 30   # idle keep-alive connections do not outlive a test run

    def do_GET(self) -> None:
        self.server.site._serve(self, head=False)

    def do_HEAD(self) -> None:
        self.server.site._serve(self, head=True)

    def do_POST(self) -> None:
        self.server.site._serve(self, head=False, method_allowed=False)

    def log_message(self, fmt: str, *args) -> None:
        log.debug("%s %s", self.server.outlet.name, fmt % args)


class FixtureSite:
    """Four fixture Arabic news outlets on 127.0.0.1; start/stop or use as a context manager."""

    def __init__(self, port_base: int | None = None, outlets: tuple[str, ...] = OUTLETS,
                 stories: list[Story] | None = None):
        self.store = StoryStore(stories)
        self.outlets: dict[str, Outlet] = {name: OUTLET_CLASSES[name](self.store) for name in outlets}
        self.port_base = port_base
        self.faults = _faults.FaultTable()
        self.extras = Extras()
        self._servers: dict[str, _OutletServer] = {}
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._log: list[dict] = []
        self._log_lock = threading.Lock()
        self.validators = Validators()

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> "FixtureSite":
        self._stopping.clear()
        for i, (name, outlet) in enumerate(self.outlets.items()):
            port = self.port_base + i if self.port_base else 0
            server = _OutletServer(self, outlet, port)
            outlet.base_url = f"http://127.0.0.1:{server.server_address[1]}"
            self._servers[name] = server
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"fixturesite-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("fixture sites: %s", ", ".join(f"{n} {o.base_url}" for n, o in self.outlets.items()))
        return self

    def stop(self) -> None:
        """Stop serving; hanging and dripping responses end too."""
        self._stopping.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
            server.close_connections()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> "FixtureSite":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses and config ----------------------------------------------------
    def base_url(self, outlet: str) -> str:
        """'http://127.0.0.1:PORT' of a running outlet (no trailing slash)."""
        base = self.outlets[outlet].base_url
        if not base:
            raise RuntimeError("FixtureSite is not started")
        return base

    def sources_toml(self, outlets: list[str] | None = None, only_feeds: dict[str, list[str]] | None = None) -> str:
        """A raqib sources config pointing at the running outlets.

        ``only_feeds`` maps an outlet to feed paths that become its only way in (no other
        feed, no sitemap, no listing): a test that needs one crawler alone on the site."""
        lines = ["# Fixture news sites on 127.0.0.1 (generated by fixturesite; ports change per run)",
                 "[defaults]", "interval_minutes = 30",
                 "freshness_days = 3650      # fixture dates are fixed in 2024–2026", ""]
        for name in outlets or list(self.outlets):
            outlet = self.outlets[name]
            entry = outlet.source_entry()
            entry["feeds"] = entry["feeds"] + [outlet.url(p) for p in self.extras.feed_paths(name)]
            entry["sitemaps"] = entry["sitemaps"] + [outlet.url(p) for p in self.extras.sitemap_paths(name)]
            if only_feeds and name in only_feeds:
                entry = {**entry, "feeds": [outlet.url(p) for p in only_feeds[name]], "sitemaps": [], "listings": []}
            q = lambda s: json.dumps(s, ensure_ascii=False)  # a JSON string is a TOML basic string
            lines += ["[[source]]", f"name = {q(name)}", f"homepage = {q(outlet.url('/'))}",
                      'language = "ar"', f"country = {q(outlet.country)}", "enabled = true",
                      f"feeds = [{', '.join(q(u) for u in entry['feeds'])}]",
                      f"sitemaps = [{', '.join(q(u) for u in entry['sitemaps'])}]"]
            listings = [f"{{ url = {q(l['url'])}, article_pattern = {q(l['article_pattern'])} }}"
                        for l in entry["listings"]]
            lines.append("listings = [" + (("\n  " + ",\n  ".join(listings) + ",\n") if listings else "") + "]")
            lines.append("")
        return "\n".join(lines)

    def expected_articles(self, outlet: str | None = None) -> list[dict]:
        """Truth about every article page served: outlet, id, url, canonical_url (amp_url on
        wakala), title, published (ISO), published_display, author, label, category,
        section, file (relative to content/, '' for added ones), body, forms."""
        out = []
        for name, o in self.outlets.items():
            if outlet in (None, name):
                out += [o.expected(s) for s in o.stories()]
        return out

    def non_article_urls(self, outlet: str | None = None) -> list[str]:
        """Pages reachable from entry points that are not articles (about, tags, English)."""
        return [o.url(p) for name, o in self.outlets.items() if outlet in (None, name)
                for p in o.non_article_paths()]

    # -- content changes ---------------------------------------------------------
    def add_article(self, outlet: str, title: str, paragraphs: list[str], published: str | datetime,
                    author: str = "هيئة التحرير", label: str = "", category: str = "") -> str:
        """Publish a new story on `outlet` (feeds, sitemaps, listings change); returns its URL."""
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        if published.tzinfo is None:
            published = published.replace(tzinfo=timezone.utc)
        story = Story(id=0, outlet=outlet, title=title.strip(), published=published, author=author,
                      blocks=[Block("p", p.strip()) for p in paragraphs if p.strip()],
                      label=label, category=category or "national")
        self.store.add(story)
        o = self.outlets[outlet]
        return o.url(o.canonical_path(story))

    def update_article(self, url_or_id: str | int, paragraphs: list[str]) -> str:
        """Change a story's body in place (same URL, new ETag and Last-Modified)."""
        story = self._find(url_or_id)
        story.blocks = [Block("p", p.strip()) for p in paragraphs if p.strip()]
        story.modified = max(datetime.now(timezone.utc).replace(microsecond=0),
                             (story.modified or story.published) + timedelta(seconds=1))
        story.version += 1
        o = self.outlets[story.outlet]
        return o.url(o.canonical_path(story))

    def add_feed(self, outlet: str, path: str, links: list[tuple[str, str | datetime]],
                 updated: str | datetime | None = None) -> str:
        """Serve (or replace) an extra Atom feed at `path` on `outlet` linking each
        (url, published) as given — any URL form, even one of another host; returns
        its URL.  `sources_toml` lists it with the outlet's feeds."""
        when = lambda d: d if isinstance(d, datetime) else datetime.fromisoformat(d)
        entries = [FeedEntry(url, f"رابط {i}", when(pub), when(updated) if updated else None)
                   for i, (url, pub) in enumerate(links, 1)]
        self.extras.set_feed(outlet, path, entries)
        return self.outlets[outlet].url(path)

    def add_bulk_sitemaps(self, outlet: str, total: int = 50_000, per_sitemap: int = 10_000,
                          archive_newest: str | datetime = "2012-12-31T23:00:00+00:00",
                          undated: bool = False) -> str:
        """Add a sitemap index over `total` URLs to `outlet` (its real stories, then
        archive URLs older than `archive_newest` that are never served); returns the
        index URL.  `sources_toml` lists it with the outlet's sitemaps."""
        if isinstance(archive_newest, str):
            archive_newest = datetime.fromisoformat(archive_newest)
        self.extras.set_bulk(outlet, BulkSitemaps(total, per_sitemap, archive_newest, undated=undated))
        return self.outlets[outlet].url("/bulk/sitemap-index.xml")

    def _find(self, url_or_id: str | int) -> Story:
        if isinstance(url_or_id, int) or str(url_or_id).isdigit():
            story = self.store.get(int(url_or_id))
            if story:
                return story
        for a in self.expected_articles():
            if url_or_id in (a["url"], a["canonical_url"], a.get("amp_url")):
                return self.store.get(a["id"])
        raise KeyError(f"no fixture article {url_or_id!r}")

    # -- faults ------------------------------------------------------------------
    def set_fault(self, outlet: str, path_glob: str, mode: str, **params) -> None:
        """Make matching requests misbehave.  Modes and their params:
        status(code=500, retry_after=None), broken_xml, hang(seconds=None), drip(chunk=16,
        interval=1.0), truncate(fraction=0.5), reset, redirect_loop, huge(size_mb=20), stub(canonical=URL, amphtml=URL),
        gzip_bomb(size_mb=100), no_charset, delay(seconds=1.0).  Every mode takes times=N."""
        if outlet not in self.outlets:
            raise KeyError(f"unknown outlet {outlet!r}")
        self.faults.add(outlet, path_glob, mode, dict(params))

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- request log -------------------------------------------------------------
    @property
    def request_log(self) -> list[dict]:
        """A snapshot: outlet, method, path (with query), status, bytes, headers, timestamp, fault."""
        with self._log_lock:
            return list(self._log)

    def requests_for(self, outlet: str | None = None, path_prefix: str | None = None) -> list[dict]:
        return [r for r in self.request_log if outlet in (None, r["outlet"])
                and (path_prefix is None or r["path"].startswith(path_prefix))]

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def _record(self, handler: _Handler, status: int, nbytes: int, fault: str | None) -> dict:
        """Append the record before the body goes out, so a client that has its answer
        always finds the request in the log; `bytes` is corrected if sending fails."""
        rec = {"outlet": handler.server.outlet.name, "method": handler.command, "path": handler.path,
               "status": status, "bytes": nbytes, "headers": dict(handler.headers.items()),
               "timestamp": time.time(), "fault": fault}
        with self._log_lock:
            self._log.append(rec)
        return rec

    def _await_request(self, outlet: str, path: str, timeout: float) -> None:
        """Hold an answer until ``path`` of ``outlet`` has been requested: tests order two
        requests by an event, not by a head start that a busy machine can eat up."""
        deadline = time.monotonic() + timeout
        while not self._stopping.is_set() and time.monotonic() < deadline:
            with self._log_lock:
                if any(r["outlet"] == outlet and r["path"].split("?", 1)[0] == path for r in self._log):
                    return
            self._stopping.wait(0.05)

    # -- serving -----------------------------------------------------------------
    def _serve(self, h: _Handler, head: bool, method_allowed: bool = True) -> None:
        outlet: Outlet = h.server.outlet
        path_qs = h.path
        fault = self.faults.match(outlet.name, path_qs)
        mode = fault.mode if fault else None
        p = fault.params if fault else {}
        if not method_allowed:
            return self._send(h, Resource(b"method not allowed", "text/plain", 405), head, None)
        if mode == "delay":
            if p.get("after"):   # delay(after=PATH, seconds=60): until PATH was requested, at most `seconds`
                self._await_request(outlet.name, str(p["after"]), float(p.get("seconds", 60.0)))
            else:
                self._stopping.wait(float(p.get("seconds", 1.0)))
        if mode == "status":
            code = int(p.get("code", 500))
            res = Resource(f"<html><body><h1>{code}</h1></body></html>".encode(), "text/html; charset=utf-8", code)
            if p.get("retry_after") is not None:
                res.headers["Retry-After"] = str(p["retry_after"])
            return self._send(h, res, head, mode)
        if mode == "hang":
            self._record(h, 0, 0, mode)
            self._stopping.wait(p.get("seconds"))
            h.close_connection = True
            return
        if mode == "reset":
            self._record(h, 0, 0, mode)
            h.close_connection = True
            try:
                h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                h.connection.close()
            except OSError:
                pass
            return
        if mode == "redirect_loop":
            path, _, query = path_qs.partition("?")
            target = path if "loop=1" in query else f"{path}?loop=1"
            return self._send(h, Resource(b"", "text/html", 302, {"Location": outlet.url(target)}), head, mode)
        if mode == "huge":
            return self._send_stream(h, int(p.get("size_mb", 20)), head, mode)
        if mode == "stub":
            return self._send(h, Resource(_faults.stub_page(p.get("canonical", ""), p.get("amphtml", "")),
                                          "text/html; charset=utf-8"),
                              head, mode)
        if mode == "gzip_bomb":
            body = _faults.gzip_bomb(int(p.get("size_mb", 100)))
            res = Resource(body, "text/html; charset=utf-8", headers={"Content-Encoding": "gzip"})
            return self._send(h, res, head, mode, raw=True)

        path, _, query = path_qs.partition("?")
        try:
            res = self.extras.handle(outlet, path) or outlet.handle(path, query)
        except Exception:   # a bug in a template must show up as a 500, not a dead socket
            log.exception("fixturesite: %s %s failed", outlet.name, path_qs)
            res = Resource(b"internal error", "text/plain", 500)
        if res is None:
            res = Resource("<html><body><h1>404 الصفحة غير موجودة</h1></body></html>".encode(),
                           "text/html; charset=utf-8", 404)
        if mode == "broken_xml":
            res = Resource(_faults.broken_xml(res.body), res.content_type, res.status, res.headers,
                           res.last_modified)
        elif mode == "no_charset":
            res = Resource(*_faults.strip_charset(res.body, res.content_type), res.status, res.headers,
                           res.last_modified)
        if res.status == 200 and not mode:
            self.validators.apply(outlet.name, path_qs, res)
            if not_modified(h.headers, res):
                return self._send(h, Resource(b"", "", 304, {k: v for k, v in res.headers.items()
                                                              if k in ("ETag", "Last-Modified")}),
                                  head, mode)
        if mode == "truncate":
            return self._send(h, res, head, mode, cut=float(p.get("fraction", 0.5)))
        if mode == "drip":
            return self._send(h, res, head, mode, drip=(int(p.get("chunk", 16)), float(p.get("interval", 1.0))))
        return self._send(h, res, head, mode)

    def _send(self, h: _Handler, res: Resource, head: bool, fault: str | None, *, raw: bool = False,
              cut: float | None = None, drip: tuple[int, float] | None = None) -> None:
        body = res.body
        headers = dict(res.headers)
        accept = h.headers.get("Accept-Encoding", "")
        if (not raw and cut is None and drip is None and len(body) > 200 and "gzip" in accept
                and _COMPRESSIBLE.match(res.content_type)):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            headers["Content-Encoding"] = "gzip"
        headers.setdefault("Vary", "Accept-Encoding")
        payload = b"" if head or res.status == 304 else body
        if cut is not None:
            payload = payload[: int(len(payload) * cut)]
        rec = self._record(h, res.status, len(payload), fault)
        sent = 0
        try:
            h.send_response(res.status)
            if res.content_type:
                h.send_header("Content-Type", res.content_type)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            if cut is not None:
                h.send_header("Connection", "close")
                h.close_connection = True
            h.end_headers()
            if drip is not None:
                size, interval = drip
                for i in range(0, len(payload), size):
                    h.wfile.write(payload[i:i + size])
                    h.wfile.flush()
                    sent += len(payload[i:i + size])
                    if self._stopping.wait(interval):
                        h.close_connection = True
                        break
            else:
                h.wfile.write(payload)
                h.wfile.flush()
                sent = len(payload)
        except OSError:   # the client went away (broken pipe, reset)
            h.close_connection = True
        rec["bytes"] = sent

    def _send_stream(self, h: _Handler, size_mb: int, head: bool, fault: str) -> None:
        total = size_mb * 1024 * 1024
        rec = self._record(h, 200, 0 if head else total, fault)
        sent = 0
        try:
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(total))
            h.end_headers()
            if not head:
                for chunk in _faults.huge_chunks(size_mb):
                    if self._stopping.is_set():
                        h.close_connection = True
                        break
                    h.wfile.write(chunk)
                    sent += len(chunk)
        except OSError:
            h.close_connection = True
        rec["bytes"] = sent

