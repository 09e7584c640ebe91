"""Validation helpers over PyYAML node trees, so every problem carries a line number.

``yaml.safe_load`` forgets where values came from and silently keeps the last of two
duplicate keys; composing the node tree instead keeps each value's line and lets the
validators report *every* problem in one pass (analysts fix a file once, not ten times).
"""

from __future__ import annotations

import difflib
import re
from typing import Any, NamedTuple

import yaml

__all__ = ["Problem", "compose", "Checker", "REGEX_CHARS", "did_you_mean", "line_of", "sort_problems"]


class Problem(NamedTuple):
    """One problem in a config file; unpacks as ``(line, field, message)``."""

    line: int | None
    field: str
    message: str

    def format(self, path: str) -> str:
        where = f"{path}:{self.line}" if self.line else str(path)
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)

#: Characters that only make sense in a regular expression; terms are plain text.
REGEX_CHARS = re.compile(r"[\\*+?\[\]{}()|^$]|\.\*|\.\+")


def compose(text: str) -> tuple[yaml.Node | None, list[Problem]]:
    """Parse YAML text into a node tree; a syntax error becomes a Problem with its line."""
    if _FAST_LOADER is not None:
        # libyaml parses a large gazetteer ~15x faster (every crawl process loads it);
        # on an error, the pure-Python parser below gives the message and line
        try:
            return yaml.compose(text, Loader=_FAST_LOADER), []
        except yaml.YAMLError:
            pass
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or "syntax error"
        if exc.context:
            what = f"{exc.context}, {what}"
            if exc.context_mark is not None and exc.context_mark.line + 1 != line:
                what += f" (the construct opened on line {exc.context_mark.line + 1})"
        return None, [Problem(line, "", f"invalid YAML: {what}; check quoting and indentation")]
    except yaml.YAMLError as exc:         # pragma: no cover - non-marked errors are rare
        return None, [Problem(None, "", f"invalid YAML: {exc}")]


def did_you_mean(word: str, choices) -> str:
    """`` (did you mean 'x'?)`` when a close match exists, else ''."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in file order (problems without a line first), so fixes go top to bottom."""
    return sorted(problems, key=lambda p: p.line or 0)


_KIND = {
    "str": "a text value", "number": "a number", "int": "a whole number", "bool": "true or false",
    "list": "a list", "mapping": "a mapping (key: value lines)",
}


class Checker:
    """Collects problems while converting nodes to plain Python values."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, node: yaml.Node | None, field: str, message: str) -> None:
        self.problems.append(Problem(line_of(node) if node is not None else None, field, message))

    # -- structure -------------------------------------------------------------------
    def mapping(self, node: yaml.Node, field: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """Return ``{key: (key_node, value_node)}``; report duplicates, unknown and
        missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.add(node, field, f"expected {_KIND['mapping']}, got {self._describe(node)}")
            return None
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for knode, vnode in node.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else str(knode.value)
            sub = f"{field}.{key}" if field else str(key)
            if key in out:
                self.add(knode, sub, f"duplicate key {key!r} (first on line {line_of(out[key][0])}); "
                                     "keep only one")
                continue
            if allowed and key not in allowed:
                self.add(knode, sub, f"unknown key {key!r}{did_you_mean(key, allowed)}; "
                                     f"expected one of: {', '.join(allowed)}")
                continue
            out[key] = (knode, vnode)
        for key in required:
            if key not in out:
                sub = f"{field}.{key}" if field else key
                self.add(node, sub, f"missing required key {key!r}; add it")
        return out

    def sequence(self, node: yaml.Node, field: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.add(node, field, f"expected {_KIND['list']}, got {self._describe(node)}")
            return None
        return list(node.value)

    def scalar(self, node: yaml.Node, field: str, kind: str) -> Any:
        """Convert a scalar node to ``kind`` (str/number/int/bool) or report and return None."""
        if not isinstance(node, yaml.ScalarNode):
            self.add(node, field, f"expected {_KIND[kind]}, got {self._describe(node)}")
            return None
        tag = node.tag.rsplit(":", 1)[-1]
        value = node.value
        if kind == "str":
            if tag in ("str",) or (tag in ("int", "float") and node.style is None):
                return str(value)
            if tag == "null":
                return ""
            self.add(node, field, f"expected {_KIND[kind]}, got {value!r}")
            return None
        if kind in ("number", "int"):
            try:
                num = int(value) if tag == "int" else float(value) if tag == "float" else None
            except ValueError:
                num = None
            if num is None or (kind == "int" and not isinstance(num, int)):
                self.add(node, field, f"expected {_KIND[kind]}, got {value!r}")
                return None
            return num
        if kind == "bool":
            if tag != "bool":
                self.add(node, field, f"expected {_KIND[kind]}, got {value!r}")
                return None
            return value.lower() in ("true", "yes", "on")
        raise ValueError(kind)

    def str_list(self, node: yaml.Node, field: str) -> list[tuple[yaml.Node, str]]:
        """A list of text values (a single text value is accepted as a one-item list)."""
        if isinstance(node, yaml.ScalarNode):
            v = self.scalar(node, field, "str")
            return [(node, v)] if v is not None else []
        items = self.sequence(node, field)
        out = []
        for i, item in enumerate(items or []):
            v = self.scalar(item, f"{field}[{i}]", "str")
            if v is not None:
                out.append((item, v))
        return out

    @staticmethod
    def _describe(node: yaml.Node | None) -> str:
        if node is None:
            return "nothing"
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        if node.tag.endswith(":null"):
            return "an empty value"
        return repr(node.value)
