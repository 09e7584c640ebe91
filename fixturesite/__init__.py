"""Offline Arabic fixture news sites served on 127.0.0.1.

Four outlets with different markup (WordPress theme, JSON-LD portal, news agency
with AMP pages, legacy windows-1256 site) render the same stories from
``content/`` so crawl tests, ``raqib demo`` and benchmarks have realistic pages and
a known truth.  Entry point: ``fixturesite.server.FixtureSite``.
"""
