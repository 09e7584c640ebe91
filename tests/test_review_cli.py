"""`raqib review` / `review show` / `review mark` / `export` through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import re

import click
import pytest
from click.testing import CliRunner

import review_data
from cli.main import _register, cli
from review.highlight import Span, highlight_inline, highlight_paragraphs, segments
from storage.db import open_db
from storage.reviews import get_review

_register()


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "review.db"
    ids = review_data.build(path)
    return str(path), ids


def run(*args, ok=True):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_review_lists_new_flagged_newest_first(db_path):
    path, ids = db_path
    out = click.unstyle(run("review", "--db", path).output)
    lines = [line for line in out.splitlines() if re.match(r"^\s*\d+  \w", line)]
    assert [int(line.split()[0]) for line in lines] == [ids["copy"], ids["story"], ids["hostile"], ids["old"]]
    assert len(lines) == 4 and str(ids["unflagged"]) not in [line.split()[0] for line in lines]
    assert "حموشي" in out and "akhbar" in out and "4.5" in out


def test_review_json_rows(db_path):
    path, ids = db_path
    rows = [json.loads(line) for line in run("review", "--db", path, "--json").stdout.splitlines()]
    story = next(r for r in rows if r["id"] == ids["story"])
    assert story["score"] == 4.5 and story["watchlists"] == ["ma_security"]
    assert ["التعاون الأمني", 2] in story["terms"]


def test_review_show_highlights_and_explains(db_path):
    path, ids = db_path
    result = CliRunner().invoke(cli, ["review", "show", str(ids["story"]), "--db", path], color=True)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b[" in out                                   # terminal highlighting
    plain = click.unstyle(out)
    assert "عبد اللطيف حموشي" in plain and "actor_and_cooperation" in plain
    assert "akhbar" in plain and "wakala" in plain          # the copy from another outlet
    assert click.style("التعاون الأمني", fg="yellow", bold=True, underline=True) in out


def test_review_show_unknown_id_is_one_line_error(db_path):
    path, _ = db_path
    result = CliRunner().invoke(cli, ["review", "show", "999", "--db", path])
    assert result.exit_code == 1 and "article 999: no such article" in result.output


def test_review_mark_bulk_with_note(db_path):
    path, ids = db_path
    out = run("review", "mark", str(ids["story"]), str(ids["copy"]), "--status", "relevant",
              "--note", "تعاون", "--db", path).stdout
    assert "Marked 2 stories relevant" in out
    db = open_db(path)
    assert get_review(db, ids["copy"])["note"] == "تعاون"
    # re-marking without --note keeps the note
    run("review", "mark", str(ids["copy"]), "--status", "later", "--db", path)
    assert (get_review(db, ids["copy"])["status"], get_review(db, ids["copy"])["note"]) == ("later", "تعاون")
    left = [json.loads(line)["id"] for line in run("review", "--db", path, "--json").stdout.splitlines()]
    assert sorted(left) == sorted([ids["hostile"], ids["old"]])
    bad = CliRunner().invoke(cli, ["review", "mark", "999", "--status", "later", "--db", path])
    assert bad.exit_code == 1 and "article 999" in bad.output


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_export_formats_with_filters(db_path, tmp_path, fmt):
    path, ids = db_path
    run("review", "mark", str(ids["story"]), "--status", "relevant", "--note", "ok", "--db", path)
    out_file = tmp_path / f"out.{fmt}"
    run("export", "--format", fmt, "--db", path, "-o", str(out_file))
    text = out_file.read_text(encoding="utf-8")
    if fmt == "csv":
        assert text.startswith("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    elif fmt == "json":
        rows = json.loads(text)
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == 4
    story = next(r for r in rows if int(r["id"]) == ids["story"])
    assert story["review_status"] == "relevant" and story["review_note"] == "ok"
    assert "حموشي" in (story["terms"] if fmt != "csv" else story["terms"].split("; "))
    only = run("export", "--format", "jsonl", "--status", "relevant", "--db", path).stdout
    assert [json.loads(line)["id"] for line in only.splitlines()] == [ids["story"]]
    since = run("export", "--format", "jsonl", "--since", "2024-06-03", "--db", path).stdout
    assert sorted(json.loads(line)["id"] for line in since.splitlines()) == sorted([ids["story"], ids["copy"]])


@pytest.mark.parametrize("text, spans, expected", [
    ("abc", [], "abc"),
    ("a<b>c", [Span(1, 4, "term", "x")], 'a<mark class="hl hl-term" title="x">&lt;b&gt;</mark>c'),
    ("abcdef", [Span(0, 4, "entity", "E"), Span(2, 6, "term", "T")],
     '<mark class="hl hl-entity" title="E">ab</mark><mark class="hl hl-entity hl-term" title="E | T">cd</mark>'
     '<mark class="hl hl-term" title="T">ef</mark>'),
    ("abc", [Span(2, 99, "term", "stale"), Span(5, 9, "term", "gone"), Span(1, 1, "term", "empty")],
     'ab<mark class="hl hl-term" title="stale">c</mark>'),
    ('x"y', [Span(0, 3, "term", '"><script>')], '<mark class="hl hl-term" title="&#34;&gt;&lt;script&gt;">x&#34;y</mark>'),
], ids=["plain", "escaped-inside-mark", "overlap", "stale-offsets-clamped", "hostile-label"])
def test_highlight_inline(text, spans, expected):
    assert str(highlight_inline(text, spans)) == expected


def test_highlight_paragraphs_keep_whole_body_offsets():
    text = "أ ب\n\nج <د>"
    start = text.index("<د>")
    html = str(highlight_paragraphs(text, [Span(start, start + 3, "term", "d")]))
    assert html == '<p>أ ب</p>\n<p>ج <mark class="hl hl-term" title="d">&lt;د&gt;</mark></p>'
    assert "".join(seg for seg, _ in segments(text, [])) == text


def test_terminal_control_characters_in_scraped_text_are_neutralised(tmp_path):
    from raqib.items import Flag, Match
    from storage.articles import save_article
    from storage.flags import save_flags

    path = tmp_path / "ansi.db"
    db = open_db(path)
    title = "\x1b[2J\x1b]0;pwned\x07عنوان التعاون الأمني"
    aid, _ = save_article(db, review_data.article("https://x.example.ma/1", "x", title,
                                                  "نص \x1b[31mأحمر التعاون الأمني", "2024-06-01"))
    body_start = "نص \x1b[31mأحمر ".__len__()
    save_flags(db, aid, [Flag("w", "v", 2.0, True, [Match("التعاون الأمني", "g", body_start, body_start + 14)])])
    for args in (["review", "--db", str(path)], ["review", "show", str(aid), "--db", str(path)]):
        out = CliRunner().invoke(cli, args, color=True).output
        assert "\x1b[2J" not in out and "\x1b]0;" not in out and "\x1b[31m" not in out, args
        assert "\ufffd[2J" in out
    shown = CliRunner().invoke(cli, ["review", "show", str(aid), "--db", str(path)], color=True).output
    assert click.style("التعاون الأمني", fg="yellow", bold=True, underline=True) in shown  # offsets intact
