"""Issue 16 item 10: `raqib check URL` reads at most max_response_bytes — on the wire
and after undoing Content-Encoding — so a gzip, deflate or brotli bomb is refused
instead of being unpacked into memory.  Served from 127.0.0.1 with the limit lowered
to 1 MB, so the bombs stay small (20 MiB unpacked) and the test fast."""

from __future__ import annotations

import gzip
import json
import zlib

import brotli
import pytest

from tests.conftest import run_cli
from tests.pages import Page, PageServer, seed_article

LIMIT = 1_000_000
UNPACKED = 20 * 1024 * 1024
HTML = "text/html; charset=utf-8"


def _bomb() -> bytes:
    return b"<html><body><p>" + b" " * UNPACKED


@pytest.fixture(scope="module")
def site():
    bomb = _bomb()
    routes = {
        "/gzip-bomb": Page(gzip.compress(bomb, 9, mtime=0), headers={"Content-Type": HTML, "Content-Encoding": "gzip"}),
        "/deflate-bomb": Page(zlib.compress(bomb, 9), headers={"Content-Type": HTML, "Content-Encoding": "deflate"}),
        "/br-bomb": Page(brotli.compress(bomb, quality=5), headers={"Content-Type": HTML, "Content-Encoding": "br"}),
        "/plain-huge": Page(b"<html><body>" + b"x" * (3 * LIMIT), headers={"Content-Type": HTML}),
        "/good-gzip": Page(gzip.compress(seed_article(0), mtime=0),
                           headers={"Content-Type": HTML, "Content-Encoding": "gzip"}),
        "/good-br": Page(brotli.compress(seed_article(1)), headers={"Content-Type": HTML, "Content-Encoding": "br"}),
    }
    assert all(len(routes[p].body) < LIMIT / 10 for p in ("/gzip-bomb", "/deflate-bomb", "/br-bomb"))
    with PageServer(routes) as server:
        yield server


def _check(site, *paths: str) -> list[dict]:
    proc = run_cli("check", "--json", *[site.url(p) for p in paths], check=False,
                   env={"RAQIB_MAX_RESPONSE_BYTES": str(LIMIT)})
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("path", ["/gzip-bomb", "/deflate-bomb", "/br-bomb", "/plain-huge"])
def test_bomb_refused_at_the_limit(site, path):
    [result] = _check(site, path)
    assert result.get("error_type") == "too_large", result
    assert f"exceeds {LIMIT} bytes" in result["error"] and "max_response_bytes" in result["error"]


def test_compressed_pages_under_the_limit_still_checked(site):
    results = _check(site, "/good-gzip", "/good-br")
    assert [r.get("error") for r in results] == [None, None], results
    assert all(r["flagged"] and r["body"] for r in results)


@pytest.mark.parametrize("coding,pack", [
    ("gzip", lambda b: gzip.compress(b, mtime=0)),
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),          # raw deflate, no zlib header
    ("br", brotli.compress),
    ("gzip, br", lambda b: brotli.compress(gzip.compress(b, mtime=0))),
    ("identity", lambda b: b),
], ids=["gzip", "deflate", "raw-deflate", "br", "gzip-then-br", "identity"])
def test_decode_body_round_trip_and_limit(coding, pack):
    from raqib.fetch import FetchError, decode_body

    text = ("نص عربي " * 5000).encode()
    assert decode_body(pack(text), coding, len(text)) == text
    if coding != "identity":          # an unencoded body is capped while it is read
        with pytest.raises(FetchError, match="exceeds"):
            decode_body(pack(text), coding, len(text) - 1)


def test_unknown_encoding_is_a_clear_error():
    from raqib.fetch import FetchError, decode_body

    with pytest.raises(FetchError, match="unsupported Content-Encoding 'compress'"):
        decode_body(b"x", "compress", 100)
