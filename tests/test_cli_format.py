"""The terminal output neutralises what a hostile scraped string could do to a terminal."""

from __future__ import annotations

import pytest

from cli.format import inert

CASES = [
    ("plain", "تعاون أمني", "تعاون أمني"),
    ("ansi-escape", "عنوان\x1b[31m", "عنوان\ufffd[31m"),
    ("bell", "a\x07b", "a\ufffdb"),
    ("rlo-override", "عنوان\u202eمقلوب", "عنوان\u200bمقلوب"),
    ("isolates", "\u2066x\u2069", "\u200bx\u200b"),
    ("tab-newline-kept", "a\tb\nc", "a\tb\nc"),
    ("none", None, ""),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_inert_replaces_controls_one_for_one(text, expected):
    out = inert(text)
    assert out == expected
    assert len(out) == len(text or "")
