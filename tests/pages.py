"""A tiny HTTP server for tests that need hand-made pages: fixed routes, every request
logged.  Binds 127.0.0.1 unless told otherwise (the SSRF test also binds addresses it
added to ``lo`` inside its own private network namespace).

The fixture news sites (``fixturesite``) cover real outlets; this is for the hostile
ones — feeds that link to local files, redirects to metadata addresses, gzip bombs.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SEEDS = sorted((Path(__file__).resolve().parent.parent / "fixturesite" / "content" / "seeds").glob("*.txt"))


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def article_html(title: str, paragraphs: list[str]) -> bytes:
    """A plain Arabic article page that passes extraction (long enough, Arabic)."""
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
            f'<title>{html.escape(title)}</title>'
            f'<meta property="article:published_time" content="2025-05-29T09:45:00+00:00"></head>'
            f'<body><article><h1>{html.escape(title)}</h1>{paras}</article></body></html>').encode()


def seed_article(n: int, marker: str = "") -> bytes:
    """Seed story ``n`` as a page; ``marker`` (a word) is added to its first paragraph."""
    lines = [l for l in SEEDS[n].read_text(encoding="utf-8").splitlines() if l.strip()]
    paragraphs = lines[1:]
    if marker:
        paragraphs[0] = f"{marker} {paragraphs[0]}"
    return article_html(lines[0][:80], paragraphs)


def atom_feed(links: list[str]) -> bytes:
    entries = "".join(
        f"<entry><title>خبر {i}</title><link href=\"{html.escape(u, quote=True)}\"/>"
        f"<id>urn:x:{i}</id><updated>2025-05-29T09:45:00Z</updated></entry>"
        for i, u in enumerate(links, 1))
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>feed</title><id>urn:x</id><updated>2025-05-29T09:45:00Z</updated>{entries}</feed>').encode()


def sitemap(locs: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{html.escape(u)}</loc></url>" for u in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode()


def redirect(location: str, status: int = 302) -> Page:
    return Page(b"", status, {"Location": location})


class PageServer:
    """Serves ``routes`` (path → Page; unknown paths 404) and logs each request's path."""

    def __init__(self, routes: dict[str, Page] | None = None, host: str = "127.0.0.1", port: int = 0):
        self.routes: dict[str, Page] = dict(routes or {})
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server.requests.append(self.path)
                page = server.routes.get(self.path) or Page(b"not found", 404)
                self.send_response(page.status)
                for k, v in page.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}" if self.port != 80 else f"http://{self.host}{path}"

    def __enter__(self) -> "PageServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
