"""Issue 16 item 2: the address policy as a table — address × the source's own
addresses × allowed networks → allowed, or refused with the reason's kind.

The crawl-level proof (every redirect hop, after DNS resolution, nothing sent) is
tests/test_ssrf_netns.py."""

from __future__ import annotations

import ipaddress

import pytest

from raqib.errors import ConfigError
from raqib.netpolicy import address_kind, parse_networks, refusal, scheme_refusal

PUBLIC_SRC = ("196.200.1.10",)          # a news site on a public address
LOOP_SRC = ("127.0.0.1",)               # a fixture site
INTRA_SRC = ("10.20.0.5",)              # an intranet source
NETS = [ipaddress.ip_network("10.255.0.0/24"), ipaddress.ip_network("fd00:1::/32")]

CASES = [
    # address, source addresses, allowed networks, expected (None: allowed, else kind in the reason)
    ("196.200.1.10", PUBLIC_SRC, [], None),
    ("8.8.8.8", (), [], None),
    ("2a00:1450:4007::1", PUBLIC_SRC, [], None),
    ("169.254.169.254", PUBLIC_SRC, [], "link-local"),
    ("169.254.169.254", LOOP_SRC, [], "link-local"),
    ("169.254.169.254", INTRA_SRC, [], "link-local"),
    ("fe80::1", PUBLIC_SRC, [], "link-local"),
    ("::ffff:169.254.169.254", PUBLIC_SRC, [], "link-local"),
    ("64:ff9b::a9fe:a9fe", PUBLIC_SRC, [], "link-local"),
    ("2002:a9fe:a9fe::1", PUBLIC_SRC, [], "link-local"),
    ("127.0.0.1", PUBLIC_SRC, [], "loopback"),
    ("127.5.6.7", PUBLIC_SRC, [], "loopback"),
    ("::1", PUBLIC_SRC, [], "loopback"),
    ("::ffff:127.0.0.1", PUBLIC_SRC, [], "loopback"),
    ("127.0.0.1", LOOP_SRC, [], None),
    ("::1", LOOP_SRC, [], None),
    ("127.0.0.1", INTRA_SRC, [], "loopback"),
    ("10.0.0.1", PUBLIC_SRC, [], "private"),
    ("172.16.3.4", PUBLIC_SRC, [], "private"),
    ("192.168.1.1", PUBLIC_SRC, [], "private"),
    ("fd12::1", PUBLIC_SRC, [], "private"),
    ("10.0.0.1", LOOP_SRC, [], "private"),
    ("192.168.1.1", INTRA_SRC, [], None),
    ("10.255.0.1", PUBLIC_SRC, NETS, None),
    ("10.255.1.1", PUBLIC_SRC, NETS, "private"),
    ("fd00:1::5", PUBLIC_SRC, NETS, None),
    ("::ffff:10.255.0.7", PUBLIC_SRC, NETS, None),
    ("224.0.0.1", PUBLIC_SRC, [], "multicast"),
    ("ff02::1", PUBLIC_SRC, [], "multicast"),
    ("0.0.0.0", PUBLIC_SRC, [], "unspecified"),
    ("0.0.0.0", LOOP_SRC, [], "unspecified"),
    ("::", PUBLIC_SRC, [], "unspecified"),
    ("100.64.0.1", PUBLIC_SRC, [], "reserved"),
    ("192.0.2.1", PUBLIC_SRC, [], "reserved"),
    ("198.18.0.1", PUBLIC_SRC, [], "reserved"),
    ("240.0.0.1", PUBLIC_SRC, [], "reserved"),
    ("255.255.255.255", PUBLIC_SRC, [], "reserved"),
    ("2001:db8::1", PUBLIC_SRC, [], "reserved"),
]


@pytest.mark.parametrize("address,source,nets,expected", CASES,
                         ids=[f"{a}-from-{s[0] if s else 'none'}{'-allowed-nets' if n else ''}"
                              for a, s, n, _ in CASES])
def test_refusal_table(address, source, nets, expected):
    reason = refusal(address, source, nets)
    if expected is None:
        assert reason is None
    else:
        assert reason and f"is a {expected} address" in reason and "allowed_networks" in reason


def test_kind_of_mapped_address_is_the_ipv4_one():
    assert address_kind(ipaddress.ip_address("::ffff:169.254.169.254")) == "link-local"


@pytest.mark.parametrize("url,refused", [
    ("http://a.ma/x", False), ("HTTPS://a.ma/x", False), ("file:///etc/passwd", True),
    ("file://localhost/etc/passwd", True), ("file:/etc/passwd", True), ("data:text/html,x", True),
    ("ftp://a.ma/x", True), ("s3://bucket/key", True), ("gopher://a.ma/", True), ("//a.ma/x", True),
    ("javascript:alert(1)", True),
], ids=lambda v: str(v))
def test_scheme_refusal(url, refused):
    assert (scheme_refusal(url) is not None) is refused


def test_allowed_networks_setting():
    assert parse_networks("10.1.0.0/16, fd00::/8,,") == [ipaddress.ip_network("10.1.0.0/16"),
                                                          ipaddress.ip_network("fd00::/8")]
    with pytest.raises(ConfigError, match="allowed_networks.*10.1.0.0/33"):
        parse_networks("10.1.0.0/33")


def test_allowed_networks_from_settings_file(tmp_path):
    from config.settings import load_settings

    good = tmp_path / "good.toml"
    good.write_text('allowed_networks = ["10.1.0.0/16", "fd00::/8"]\n', encoding="utf-8")
    assert load_settings(good, environ={})["allowed_networks"] == "10.1.0.0/16, fd00::/8"
    with pytest.raises(ConfigError, match="allowed_networks"):
        load_settings(None, environ={"RAQIB_ALLOWED_NETWORKS": "intranet"})
