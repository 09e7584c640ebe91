"""The SSRF scenario of tests/test_ssrf_netns.py, run INSIDE a private network (and
mount) namespace that the test creates with ``unshare --net --mount --map-root-user``.

Inside it, and nowhere else: ``lo`` is brought up and given 169.254.169.254 (a
stand-in for the cloud metadata service) and 10.255.0.1 (an intranet host), each
served by a tiny HTTP server on port 80; /etc/hosts is bind-mounted (in this mount
namespace only) so ``metadata.test`` resolves to 169.254.169.254 and
``intranet.test`` to 10.255.0.1.  Then a real ``raqib crawl`` runs against:

- ``loopback``: a site on 127.0.0.1 whose feed and sitemap link to its own articles
  and to the metadata and intranet hosts — directly, by a name that resolves there,
  as a decimal and an IPv4-mapped IPv6 literal, and through redirects; one of its
  feeds itself redirects to the metadata host;
- ``intranet``: a source on 10.255.0.1 (its own host is private: it may reach
  private addresses, but not the link-local metadata address).

Then ``raqib check`` is given a loopback URL that redirects to the metadata host and
a typed intranet URL.  Writes ``result.json`` (what each server received, the crawl's output) next to the
database in the folder given as argument.  Nothing leaves the namespace.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import crawl_site, run_cli
from tests.pages import Page, PageServer, atom_feed, redirect, seed_article, sitemap

HTML = {"Content-Type": "text/html; charset=utf-8"}
ATOM = {"Content-Type": "application/atom+xml"}
XML = {"Content-Type": "application/xml"}


def _article(n: int) -> Page:
    return Page(seed_article(n), headers=HTML)


def setup_namespace(out: Path) -> None:
    for cmd in (["ip", "link", "set", "lo", "up"],
                ["ip", "addr", "add", "169.254.169.254/32", "dev", "lo"],
                ["ip", "addr", "add", "10.255.0.1/32", "dev", "lo"]):
        subprocess.run(cmd, check=True)
    hosts = out / "hosts"
    hosts.write_text("127.0.0.1 localhost\n::1 localhost\n169.254.169.254 metadata.test\n"
                     "10.255.0.1 intranet.test\n", encoding="utf-8")
    subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)


def main(out: Path) -> None:
    setup_namespace(out)
    # The "metadata service": serves an article on every path the crawler is led to,
    # so a request that got through would also show up as a stored article.
    meta_paths = ["/latest/meta-data/", "/latest/user-data", "/latest/dynamic", "/mapped", "/redirected",
                  "/sitemap-linked", "/feed.xml", "/from-intranet"]
    metadata = PageServer({p: _article(4) for p in meta_paths}, host="169.254.169.254", port=80)
    metadata.routes["/feed.xml"] = Page(atom_feed(["http://169.254.169.254/latest/meta-data/"]), headers=ATOM)
    intranet = PageServer({"/admin": _article(3), "/redirected": _article(3), "/news/3": _article(2)},
                          host="10.255.0.1", port=80)
    intranet.routes["/feed.xml"] = Page(atom_feed(["http://10.255.0.1/news/3",
                                                   "http://169.254.169.254/from-intranet"]), headers=ATOM)
    with metadata, intranet, PageServer() as site:
        bad = {
            "direct": "http://169.254.169.254/latest/meta-data/",
            "private": "http://10.255.0.1/admin",
            "dns_name": "http://metadata.test/latest/user-data",
            "decimal": "http://2852039166/latest/dynamic",
            "mapped_v6": "http://[::ffff:169.254.169.254]/mapped",
            "redirect": "http://169.254.169.254/redirected",
            "redirect_private": "http://intranet.test/redirected",
            "sitemap": "http://169.254.169.254/sitemap-linked",
        }
        good = {"feed": site.url("/news/1"), "sitemap": site.url("/news/2")}
        site.routes.update({
            "/news/1": _article(0),
            "/news/2": _article(1),
            "/go-meta": redirect(bad["redirect"]),
            "/go-intra": redirect(bad["redirect_private"], 301),
            "/feed.xml": Page(atom_feed([good["feed"], bad["direct"], bad["private"], bad["dns_name"],
                                         bad["decimal"], bad["mapped_v6"], site.url("/go-meta"),
                                         site.url("/go-intra")]), headers=ATOM),
            "/moved-feed.xml": redirect("http://169.254.169.254/feed.xml"),
            "/sitemap.xml": Page(sitemap([good["sitemap"], bad["sitemap"]]), headers=XML),
        })
        _, proc = crawl_site(
            out,
            '[defaults]\nfreshness_days = 3650\n\n'
            f'[[source]]\nname = "loopback"\nhomepage = "{site.url("/")}"\n'
            f'feeds = ["{site.url("/feed.xml")}", "{site.url("/moved-feed.xml")}"]\n'
            f'sitemaps = ["{site.url("/sitemap.xml")}"]\n\n'
            f'[[source]]\nname = "intranet"\nhomepage = "http://10.255.0.1/"\n'
            f'feeds = ["http://10.255.0.1/feed.xml"]\n',
            check=False, timeout=240, env={"RAQIB_RETRY_TIMES": "0", "RAQIB_DOWNLOAD_TIMEOUT": "10"})
        # `raqib check` follows redirects too: the typed URL is trusted, where it leads is not.
        checked = run_cli("check", "--json", site.url("/go-meta"), "http://10.255.0.1/news/3", check=False,
                          timeout=120)
        result = {
            "check": [json.loads(line) for line in checked.stdout.splitlines() if line.strip()],
            "metadata_requests": list(metadata.requests),
            "intranet_requests": list(intranet.requests),
            "loopback_requests": list(site.requests),
            "bad": bad, "good": good,
            "crawl": {"returncode": proc.returncode, "stdout": proc.stdout[-4000:], "stderr": proc.stderr[-8000:]},
        }
    (out / "result.json").write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
