"""Sources config: the bundled file is valid; invalid files name the file, source and field."""

import pytest

from config.settings import DEFAULT_DIR, load_settings
from config.sources import load_sources, parse_sources
from raqib.errors import ConfigError

GOOD = """
[defaults]
interval_minutes = 10
[[source]]
name = "a"
homepage = "https://a.ma/"
feeds = ["https://a.ma/feed"]
"""


def test_bundled_sources_are_valid_and_unverified():
    sources = load_sources(DEFAULT_DIR / "sources.toml")
    assert len(sources) >= 10
    assert all(not s.verified for s in sources)
    assert any(s.name == "map-ar" for s in sources)
    assert all(s.feeds or s.sitemaps or s.listings for s in sources)


def test_defaults_apply():
    (s,) = parse_sources(GOOD)
    assert s.interval_minutes == 10 and s.enabled and s.language == "ar"


BAD = [
    ("toml-syntax", "[[source]\nname='a'", "invalid TOML", None, None),
    ("no-sources", "[defaults]\nenabled = true", "no [[source]] tables", None, "source"),
    ("unknown-field", GOOD + "colour = 'red'\n", "unknown field", "a", "colour"),
    ("bad-url", GOOD.replace("https://a.ma/feed", "ftp://a.ma/feed"), "expected an http(s) URL", "a", "feeds"),
    ("wrong-type", GOOD.replace('feeds = ["https://a.ma/feed"]', 'feeds = "https://a.ma/feed"'),
     "expected list", "a", "feeds"),
    ("missing-homepage", '[[source]]\nname = "b"\nfeeds = ["https://b.ma/f"]\n', "required field", "b", "homepage"),
    ("duplicate", GOOD + '[[source]]\nname = "a"\nhomepage = "https://a.ma/"\nfeeds = ["https://a.ma/f2"]\n',
     "duplicate source name", "a", "name"),
    ("bad-regex", '[[source]]\nname = "c"\nhomepage = "https://c.ma/"\n'
                  'listings = [{url = "https://c.ma/s", article_pattern = "("}]\n', "not a valid regex", "c",
     "listings.article_pattern"),
    ("no-entry-points", '[[source]]\nname = "d"\nhomepage = "https://d.ma/"\n', "at least one of", "d", "feeds"),
    ("bad-name", '[[source]]\nname = "Has Space"\nhomepage = "https://d.ma/"\nfeeds = ["https://d.ma/f"]\n',
     "lowercase", "Has Space", "name"),
]


@pytest.mark.parametrize("text,message,source,field", [row[1:] for row in BAD], ids=[r[0] for r in BAD])
def test_invalid_sources_name_file_source_field(text, message, source, field):
    with pytest.raises(ConfigError) as info:
        parse_sources(text, "my-sources.toml")
    err = info.value
    assert str(err).startswith("my-sources.toml")
    assert message in str(err)
    assert err.source == source
    assert err.field == field


def test_settings_layers(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('db_path = "from-file.db"\nretry_times = 5\n')
    cfg = load_settings(f, {"retry_times": 1}, environ={"RAQIB_DOWNLOAD_TIMEOUT": "7"})
    assert cfg["db_path"] == "from-file.db" and cfg["retry_times"] == 1 and cfg["download_timeout"] == 7


def test_unknown_setting_names_file_and_key(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('db_pth = "x.db"\n')
    with pytest.raises(ConfigError, match=r"s\.toml: field 'db_pth': unknown setting"):
        load_settings(f, environ={})
