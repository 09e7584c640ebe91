"""Every setting raqib reads, declared once: name, type, default and help.

Values are layered: these defaults, then one TOML settings file (``--settings`` or
``RAQIB_SETTINGS``), then ``RAQIB_<NAME>`` environment variables, then CLI flags.
Scrapy's and APScheduler's settings are derived from here (``spiders.crawl`` and
``scheduler``) so there is exactly one place to look.  An unknown key in the file
fails at start-up and names the file and the key, because a misspelt setting that is
silently ignored is the worst kind of configuration bug.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from raqib.errors import ConfigError

DEFAULT_DIR = Path(__file__).parent / "default"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("allowed_networks", str, "", "Comma-separated networks (CIDR, e.g. `10.20.0.0/16`) the crawler may reach although they are private, link-local or reserved; otherwise only sources whose own host is in such a range may (see SSRF in the README)."),
    Setting("access_token", str, "", "Token required by `raqib serve` when bound to a non-loopback address (at least 16 characters)."),
    Setting("alert_timeout", int, 10, "Seconds one webhook request or SMTP step of an alert may take; an alert being sent is leased to its sender for what its tries can take (about 2 min at 10), after which a killed sender's alert is retried."),
    Setting("autothrottle", bool, True, "Adapt request rate to each server's latency (Scrapy AutoThrottle)."),
    Setting("chart_digits", str, "arabic", "Digits in the trends page's chart labels: `arabic` (Arabic-Indic ٠١٢٣) or `latin` (0123)."),
    Setting("concurrent_requests", int, 16, "Parallel requests across all domains in one crawl."),
    Setting("concurrent_requests_per_domain", int, 2, "Parallel requests to one domain: be polite to news sites."),
    Setting("crawl_timeout", int, 900, "Hard limit (seconds) on one source's crawl in the daemon; its crawlers are stopped after it (the crawl process is killed when `crawl_workers` is 0)."),
    Setting("crawl_workers", int, 1, "Long-lived crawl worker processes the daemon keeps; each crawls many sources at once (`max_concurrent_crawls` in all). 0: one crawl process per source run, as before."),
    Setting("crawl_stop_grace", int, 5, "Seconds a crawl process gets to stop after SIGTERM (daemon stop, timeout) before it is killed."),
    Setting("db_path", str, "raqib.db", "SQLite database file (created and migrated on open)."),
    Setting("download_delay", float, 0.0, "Minimum delay (seconds) between requests to one domain."),
    Setting("download_timeout", int, 30, "Seconds before one HTTP request is abandoned (then retried)."),
    Setting("failure_threshold", int, 3, "`raqib status` exits non-zero when a source failed this many runs in a row."),
    Setting("freshness_days", int, 3, "Sitemap entries whose lastmod/publication date is older than this are ignored (a source may override)."),
    Setting("http_cache", bool, True, "Keep an RFC 2616 HTTP cache so feeds and sitemaps are fetched with conditional GET."),
    Setting("http_cache_dir", str, ".raqib/httpcache", "Where the HTTP cache lives (relative to the database's folder)."),
    Setting("log_file", str, "", "Also write logs to this rotating file."),
    Setting("max_concurrent_crawls", int, 2, "Global cap on crawls the daemon runs at the same time."),
    Setting("max_pages_per_listing", int, 2, "Listing pages followed per section (page 1, 2, ...)."),
    Setting("max_undated_sitemap_entries", int, 1000, "Undated sitemap entries count as fresh; beyond this many in one sitemap the rest are ignored (0: no limit)."),
    Setting("max_sitemap_bytes", int, 50 * 1024 * 1024, "Sitemaps may be this large (the sitemap protocol's own limit is 50 MB): a 50,000-URL sitemap of long Arabic URLs exceeds max_response_bytes."),
    Setting("max_response_bytes", int, 10 * 1024 * 1024, "Responses larger than this are dropped (protects memory against huge pages and gzip bombs)."),
    Setting("min_arabic_ratio", float, 0.5, "Share of letters that must be Arabic for a page to count as an Arabic article."),
    Setting("min_body_chars", int, 250, "Pages whose extracted body is shorter are skipped as not articles."),
    Setting("model_flag_probability", float, 0.0, "When > 0, the relevance model also flags unflagged articles it scores at or above this probability (as watchlist relevance-model); 0: it only ranks."),
    Setting("model_retrain_after", int, 20, "The daemon retrains the relevance model after this many new verdicts (relevant/irrelevant); 0: never."),
    Setting("model_weak_labels_below", int, 200, "While fewer verdicts than this exist, the relevance model also learns from the watchlists' flags as weak labels."),
    Setting("near_miss_model_weight", float, 0.7, "Weight of the relevance model's probability (vs. how close the rules came) in the near-miss queue's order, 0–1."),
    Setting("obey_robots", bool, True, "Respect robots.txt."),
    Setting("retry_times", int, 2, "Retries (with backoff) for timeouts, resets and 5xx."),
    Setting("serve_host", str, "127.0.0.1", "Address `raqib serve` binds to."),
    Setting("serve_port", int, 8765, "Port `raqib serve` listens on."),
    Setting("serve_public_name", str, "", "Comma-separated host names the review page is also reached by (e.g. behind a reverse proxy); requests naming any other host than the bound address are refused (DNS rebinding)."),
    Setting("smtp_from", str, "raqib@localhost", "Sender of alert e-mails."),
    Setting("smtp_host", str, "", "SMTP server for alert e-mails (empty: no e-mail)."),
    Setting("smtp_port", int, 25, "SMTP port."),
    Setting("smtp_to", str, "", "Comma-separated recipients of alert e-mails."),
    Setting("sources_check_min_body_share", float, 0.8, "`raqib sources check`: share of a source's sampled pages that must yield an article body; a source under it fails the check (exit 1)."),
    Setting("sources_path", str, str(DEFAULT_DIR / "sources.toml"), "Sources config (TOML)."),
    Setting("tuning_dir", str, "watchlist-candidates", "Folder of candidate watchlist files the review page's tune view can back-test (relative to the database's folder)."),
    Setting("user_agent", str, "raqib/0.1 (+https://github.com/raqib/raqib; Arabic news monitoring)", "User-Agent sent with every request; names raqib so site owners know who crawls."),
    Setting("watchlists_dir", str, str(DEFAULT_DIR / "watchlists"), "Folder of watchlist files applied to every article."),
    Setting("gazetteer_path", str, str(DEFAULT_DIR / "gazetteer.yaml"), "Entity gazetteer used by the watchlists."),
    Setting("worker_max_pages", int, 20000, "A crawl worker is replaced after fetching this many pages (0: never)."),
    Setting("worker_max_rss_mb", int, 1024, "A crawl worker is replaced once its resident memory exceeds this many MB (0: never)."),
    Setting("webhook_url", str, "", "POST a JSON alert for each new flag here (empty: no webhook)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    if setting.type is str and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)     # a TOML list for a comma-separated setting
    if isinstance(value, setting.type) and not (setting.type is int and isinstance(value, bool)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if setting.type is bool:
                if text.lower() in ("1", "true", "yes", "on"):
                    return True
                if text.lower() in ("0", "false", "no", "off", ""):
                    return False
                raise ValueError(text)
            return setting.type(text)
        except ValueError:
            pass
    if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    raise ConfigError(origin, f"expected {setting.type.__name__}, got {value!r}", field=setting.name)


def load_settings(path: str | os.PathLike | None = None, overrides: dict[str, Any] | None = None,
                  environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Resolve every setting: defaults < TOML file < RAQIB_* environment < overrides."""
    values = {s.name: s.default for s in SETTINGS}
    environ = os.environ if environ is None else environ
    path = path or environ.get("RAQIB_SETTINGS")
    if path:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(str(p), "file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(p), f"invalid TOML: {exc}") from None
        for key, value in data.items():
            if key not in _BY_NAME:
                known = ", ".join(sorted(_BY_NAME))
                raise ConfigError(str(p), f"unknown setting; known settings: {known}", field=key)
            values[key] = _coerce(_BY_NAME[key], value, str(p))
    for s in SETTINGS:
        env_key = "RAQIB_" + s.name.upper()
        if env_key in environ:
            values[s.name] = _coerce(s, environ[env_key], f"environment {env_key}")
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in _BY_NAME:
            raise ConfigError("command line", "unknown setting", field=key)
        values[key] = _coerce(_BY_NAME[key], value, "command line")
    from raqib.netpolicy import parse_networks

    parse_networks(values["allowed_networks"])   # a bad CIDR fails at start-up, naming the setting
    return values


def _shown_default(s: Setting) -> str:
    value = s.default
    if isinstance(value, str) and value.startswith(str(DEFAULT_DIR)):
        value = "config/default" + value[len(str(DEFAULT_DIR)):]
    if isinstance(value, bool):
        value = str(value).lower()
    return f"`{value}`" if value != "" else "(empty)"


def settings_markdown() -> str:
    """The settings table of the README, generated from :data:`SETTINGS` so it cannot drift
    (``raqib settings --markdown`` prints it; a test compares it with the README)."""
    lines = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for s in sorted(SETTINGS, key=lambda s: s.name):
        lines.append(f"| `{s.name}` | `RAQIB_{s.name.upper()}` | {_shown_default(s)} | {s.help.replace('|', '/')} |")
    return "\n".join(lines)
