"""The benchmarks still run: each bench at a tiny size prints its figures.

The benches themselves are not run by CI (they take minutes); these smoke runs only keep
them from rotting when the code they call changes.  Each takes a few seconds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_script(script: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def run_bench(script: str, *args: str, timeout: float = 60) -> str:
    proc = run_script(script, *args, timeout=timeout)
    assert proc.returncode == 0, f"{script} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr[-4000:]}"
    return proc.stdout


@pytest.mark.parametrize("script", ["bench_pipeline.py", "bench_crawl.py", "bench_recrawl.py", "near_miss.py",
                                    "bench_model.py"])
def test_help(script):
    assert "usage:" in run_bench(script, "--help")


def test_bench_pipeline_prints_ratio():
    out = run_bench("bench_pipeline.py", "--rounds", "1", "--limit", "4", "--profile", "--top", "5")
    assert "(a) trafilatura.extract, raqib options" in out
    assert "(b) raqib full per-page path" in out
    assert "ratio full / extract alone:" in out
    assert "cProfile of the full path" in out


def test_bench_crawl_prints_throughput_and_extraction_share():
    out = run_bench("bench_crawl.py", "--articles", "40")
    assert "articles stored: 40 of 40" in out
    assert "articles/s" in out
    assert "share of crawl time in extraction:" in out
    assert "politeness: OFF" in out


def test_bench_recrawl_prints_breakdown():
    out = run_bench("bench_recrawl.py", "--articles", "20")
    assert "re-crawl of the unchanged site, by kind and status:" in out
    assert "article pages fetched:" in out


def test_bench_model_prints_ms_per_article():
    out = run_bench("bench_model.py", "--rounds", "1")
    assert "prep (document): cold" in out and "train on fixture labels" in out
    assert "< 300 words" in out and "ms/article in a batch" in out


def test_bench_quality_lists_every_set():
    # the wiring: every set the quality gate knows, in the order they were frozen
    out = run_bench("quality.py", "--list")
    names = [line.split()[0] for line in out.splitlines() if line.startswith("set=")]
    assert names == ["set=fixture", "set=realnews", "set=dev", "set=blind"] + [f"set=blind{i}" for i in range(2, 28)]


def test_bench_quality_prints_one_line_per_set():
    # a few sets, not all 6,000 texts: the quality gate (test_filter_quality.py) scores every
    # set with the same functions; this only keeps the script's output from rotting
    out = run_bench("quality.py", "--sets", "fixture,blind,blind24", timeout=300)
    lines = [line for line in out.splitlines() if line.startswith("set=")]
    names = [line.split()[0] for line in lines]
    assert [n for n in names if not n.endswith("-clear")] == ["set=fixture", "set=blind", "set=blind24"]
    # the manifest sets have borderline stories: each also gets a line without them
    assert {"set=blind-clear", "set=blind24-clear"} <= set(names)
    assert all(" precision=" in line and " recall=" in line and " f1=" in line for line in lines)


def test_bench_quality_refuses_an_unknown_set():
    proc = run_script("quality.py", "--sets", "blind99")
    assert proc.returncode == 2 and "unknown set(s): blind99" in proc.stderr
