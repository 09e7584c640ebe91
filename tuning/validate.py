"""Validate watchlist files before they go live: every problem, with file, line and field.

Adds to :func:`filters.watchlist.validate_watchlist` what only shows across files or
at the file-type level: two files with the same watchlist name (the second would
replace the first's flags) and a TOML file handed in where YAML is expected.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from filters.watchlist import parse_watchlist
from filters.yamlcheck import Problem, compose, line_of

_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml_problems(text: str) -> list[Problem]:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_AT.search(msg)
        line = int(m.group(1)) if m else None
        return [Problem(line, "", f"invalid TOML: {_TOML_AT.sub('', msg).strip()}; note that watchlists are YAML files "
                                  "(.yaml): see config/default/watchlists/ for the format")]
    return [Problem(None, "", "this is a TOML file; watchlists are YAML files (.yaml): "
                              "see config/default/watchlists/ for the format")]


def _declared_name(text: str) -> tuple[str | None, int | None]:
    """The ``name:`` of a watchlist text even when other parts are invalid (for duplicates)."""
    root, _ = compose(text)
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "name" and isinstance(value, yaml.ScalarNode):
                return value.value, line_of(value)
    return None, None


def validate_files(paths: list[str | Path], roles: set[str] | None = None) -> dict[str, list[Problem]]:
    """``{path: problems}`` for each file, in the order given (an empty list: valid)."""
    out: dict[str, list[Problem]] = {}
    names: dict[str, str] = {}
    for p in paths:
        path = Path(p)
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            out[str(path)] = [Problem(None, "", f"cannot read the watchlist: {exc}")]
            continue
        if path.suffix.lower() == ".toml":
            out[str(path)] = _toml_problems(text)
            continue
        problems = list(parse_watchlist(text, path, roles)[1])
        name, line = _declared_name(text)
        if name:
            if name in names:
                problems.append(Problem(line, "name", f"watchlist name {name!r} is also used by {names[name]}; "
                                                      "names must be unique"))
            else:
                names[name] = str(path)
        out[str(path)] = sorted(problems, key=lambda pr: pr.line or 0)
    return out
