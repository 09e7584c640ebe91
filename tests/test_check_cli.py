"""`raqib check --json`: one JSON object per input, errors per input, nothing stored."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

SEEDS = sorted((Path(__file__).resolve().parent.parent / "fixturesite" / "content" / "seeds").glob("*.txt"))
KEYS = {"input", "url", "title", "published", "body", "flagged", "score", "matches", "entities"}


def seed_page(seed: Path, charset: str) -> bytes:
    lines = [l for l in seed.read_text(encoding="utf-8").splitlines() if l.strip()]
    paras = "".join(f"<p>{html.escape(l)}</p>" for l in lines[1:])
    meta = (f'<meta charset="{charset}">' if charset == "utf-8" else
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    doc = (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{meta}<title>{html.escape(lines[0][:80])}</title>'
           f'<meta property="article:published_time" content="2025-05-29T09:45:00+00:00"></head>'
           f'<body><article><h1>{html.escape(lines[0][:80])}</h1>{paras}</article></body></html>')
    return doc.encode(charset, errors="replace" if charset != "utf-8" else "strict")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("check")
    files = {}
    files["utf8"] = d / "seed0.html"
    files["utf8"].write_bytes(seed_page(SEEDS[0], "utf-8"))
    files["cp1256"] = d / "seed3.html"
    files["cp1256"].write_bytes(seed_page(SEEDS[3], "windows-1256"))
    files["txt"] = d / "seed4.txt"
    files["txt"].write_text(SEEDS[4].read_text(encoding="utf-8"), encoding="utf-8")
    files["empty"] = d / "empty.txt"
    files["empty"].write_bytes(b"")
    files["binary"] = d / "image.html"
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 8)
    files["english"] = d / "english.txt"
    files["english"].write_text("Morocco and Spain\n" + "Officials met to discuss trade and tourism. " * 20)
    files["missing"] = d / "does-not-exist.html"
    return files


def test_json_contract(inputs):
    order = ["utf8", "empty", "cp1256", "binary", "txt", "english", "missing"]
    proc = run_cli("check", "--json", *[str(inputs[k]) for k in order])
    lines = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    assert len(lines) == len(order)
    by = dict(zip(order, lines))
    for key in ("utf8", "cp1256", "txt"):
        r = by[key]
        assert KEYS <= set(r), f"{key}: missing {KEYS - set(r)}"
        assert r["flagged"] is True, f"{key} not flagged"
        assert r["matches"] and {"term", "group", "start", "end"} <= set(r["matches"][0])
        assert r["entities"] and {"name", "type", "start", "end"} <= set(r["entities"][0])
        for m in r["matches"]:
            text = r["body"] if m.get("field", "body") == "body" else r["title"]
            assert 0 <= m["start"] < m["end"] <= len(text)
    assert "حموشي" in by["cp1256"]["body"], "windows-1256 page was not decoded"
    assert (by["utf8"]["extractor"], by["utf8"]["date_source"]) == ("trafilatura", "meta")
    assert by["txt"]["extractor"] == "text_file"
    assert by["txt"]["title"] == SEEDS[4].read_text(encoding="utf-8").splitlines()[0]
    for key, kind in (("empty", "empty"), ("binary", "binary"), ("english", "not_arabic"),
                      ("missing", "not_found")):
        assert by[key]["input"] == str(inputs[key])
        assert by[key]["error_type"] == kind, by[key]
        assert by[key]["error"]


def test_readable_report(inputs):
    proc = run_cli("check", str(inputs["txt"]), str(inputs["empty"]), str(inputs["utf8"]))
    assert "FLAGGED" in proc.stdout
    assert "empty" in proc.stdout
    assert "(body: text_file)" in proc.stdout and "(body: trafilatura, date: meta)" in proc.stdout


def test_all_inputs_bad_exits_nonzero(inputs):
    proc = run_cli("check", "--json", str(inputs["empty"]), check=False)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error_type"] == "empty"
