"""The network policy pins DNS answers for the hosts it checked; a proxy the operator
configured (``http_proxy``) is not such a host and must still be reachable, while
the target behind it is still checked."""

from __future__ import annotations

import socket

from storage.db import open_db
from tests.conftest import crawl_site
from tests.pages import Page, PageServer, atom_feed, seed_article


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_crawl_through_configured_proxy(tmp_path):
    origin = f"http://127.0.0.1:{_closed_port()}"      # nothing listens there: only the proxy answers
    with PageServer() as proxy:
        proxy.routes.update({
            f"{origin}/feed.xml": Page(atom_feed([f"{origin}/news/1", "http://169.254.169.254/latest/"]),
                                       headers={"Content-Type": "application/atom+xml"}),
            f"{origin}/news/1": Page(seed_article(0), headers={"Content-Type": "text/html; charset=utf-8"}),
        })
        db_path, _ = crawl_site(tmp_path, f'[[source]]\nname = "proxied"\nhomepage = "{origin}/"\n'
                                          f'feeds = ["{origin}/feed.xml"]\nfreshness_days = 3650\n',
                                env={"RAQIB_RETRY_TIMES": "0", "http_proxy": f"http://localhost:{proxy.port}",
                                     "no_proxy": "", "NO_PROXY": ""})
        seen = list(proxy.requests)
    db = open_db(db_path)
    assert [r[0] for r in db.execute("SELECT url FROM articles")] == [f"{origin}/news/1"], seen
    assert not [p for p in seen if "169.254" in p], seen     # the target behind the proxy is still checked
