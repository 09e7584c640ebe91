"""Watchlist files: load, validate (every problem, with line and field), version.

A watchlist is a YAML file an analyst edits.  See ``config/default/watchlists/
morocco-security-cooperation.yaml`` for a commented example.  Shape::

    name: morocco-security-cooperation
    description: ...
    threshold: 3            # flagged when the summed rule contributions reach this
    title_boost: 1.5        # a rule satisfied inside the title counts this many times
    groups:                 # named term groups
      cooperation:
        weight: 1           # default weight of each term (used by any_of min_weight)
        suffixes: [pronouns]  # optional attached suffixes (see filters.clitics)
        mask: false         # true: hits of this group hide shorter hits inside them
        terms:
          - تعاون
          - {term: مذكرة تفاهم, variants: [مذكرات تفاهم], weight: 2}
    entities:               # references to gazetteer roles
      moroccan_actor: {roles: [moroccan_actor]}
      # heads: keep only the actors composed on the nouns of these gazetteer composition
      # lists (heads, authorities, counterparts): نظراؤه المغاربة, not السلطات المغربية
      moroccan_counterparts: {roles: [moroccan_authority], heads: [counterparts]}
    rules:
      - name: core
        all_of: [moroccan_actor, cooperation]   # every group present...
        any_of: [...]        # ...at least min_weight of distinct terms from these...
        none_of: [...]       # ...and none of these, in the same scope (graded rules at
                             # article scope: the paragraphs holding one are left out)
        context: [...]       # these must also occur somewhere in the article
        lead: [...]          # these must occur in the title or the first two paragraphs
                             # (the story's subject), wherever the rest of the evidence is
        within: 40           # scope: a window of 40 words (or  same: paragraph)
        weight: 3            # contribution when satisfied (negative = penalty)
        veto: false          # true: when satisfied the article is never flagged
        graded: true         # instead of within/same: counts weight x proximity factor of
                             # the closest scope holding the evidence (sentence > paragraph
                             # > article)
    proximity: {sentence: 1, paragraph: 0.75, article: 0.5}   # factors of graded rules
    senses: [...]            # context rules that remove a match (see filters.senses)

The version of a watchlist is the first 12 hex digits of the sha256 of its bytes, so a
stored flag always names the exact file that produced it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from filters.clitics import SUFFIX_SETS, expand_suffixes, term_variants
from filters.gazetteer import HEAD_LISTS, ROLES, TYPES
from filters.normalize import normalize
from filters.senses import PROXIMITY, Sense, parse_proximity, parse_senses
from filters.yamlcheck import REGEX_CHARS, Checker, Problem, compose, did_you_mean, line_of, sort_problems
from raqib.errors import WatchlistError

log = logging.getLogger(__name__)

__all__ = ["Watchlist", "TermGroup", "Term", "EntityRef", "Rule", "Problem",
           "load_watchlist", "validate_watchlist", "parse_watchlist"]

_TOP_KEYS = ("name", "description", "threshold", "title_boost", "proximity", "groups", "entities", "senses",
             "rules")
_GROUP_KEYS = ("description", "weight", "suffixes", "mask", "terms")
_TERM_KEYS = ("term", "variants", "weight", "suffixes")
_REF_KEYS = ("description", "roles", "types", "heads", "weight")
_RULE_KEYS = ("name", "description", "all_of", "any_of", "none_of", "context", "lead", "min_weight", "within",
              "same", "weight", "veto", "graded")
_SAME = ("paragraph", "field")


@dataclass(frozen=True)
class Term:
    text: str                       # as written by the analyst
    variants: tuple[str, ...]       # extra spellings as written
    weight: float
    suffixes: tuple[str, ...]       # names or literals (see filters.clitics.expand_suffixes)
    line: int = 0

    def keys(self) -> set[str]:
        """Every normalised spelling that counts as a hit of this term: the text and its
        variants, with clitics and the term's suffixes (see :mod:`filters.clitics`)."""
        suffixes = expand_suffixes(self.suffixes)
        return {key for spelling in (self.text, *self.variants) for key in term_variants(spelling, suffixes)}


@dataclass
class TermGroup:
    name: str
    terms: list[Term]
    weight: float = 1.0
    mask: bool = False
    description: str = ""


@dataclass
class EntityRef:
    name: str
    roles: tuple[str, ...]
    types: tuple[str, ...] = ()
    weight: float = 1.0
    description: str = ""
    heads: tuple[str, ...] = ()     # only actors composed on the nouns of these gazetteer lists


@dataclass
class Rule:
    name: str
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    context: tuple[str, ...] = ()     # groups that must occur anywhere in the article
    min_weight: float = 1.0
    within: int | None = None
    same: str | None = None
    weight: float = 1.0
    veto: bool = False
    description: str = ""
    graded: bool = False              # scope = closest of sentence/paragraph/article
    lead: tuple[str, ...] = ()        # groups that must occur in the title or first paragraph


@dataclass
class Watchlist:
    name: str
    threshold: float
    groups: dict[str, TermGroup]
    entities: dict[str, EntityRef]
    rules: list[Rule]
    description: str = ""
    title_boost: float = 1.0
    path: Path | None = None
    version: str = ""
    source_text: str = field(default="", repr=False)
    senses: list[Sense] = field(default_factory=list)
    proximity: dict[str, float] = field(default_factory=lambda: dict(PROXIMITY))


def _version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def parse_watchlist(text: str, path: str | Path = "<watchlist>",
                    roles: set[str] | None = None) -> tuple[Watchlist | None, list[Problem]]:
    """Parse and check watchlist YAML text.

    Args:
        text: the file content.
        path: used only to label the result.
        roles: gazetteer roles an entity reference may name (default: the standard roles).
    Returns:
        ``(watchlist, problems)``; the watchlist is None when any problem was found.
    """
    root, problems = compose(text)
    if problems:
        return None, problems
    ck = Checker()
    if root is None:
        ck.add(None, "", "the file is empty; a watchlist needs name, threshold, groups and rules")
        return None, ck.problems
    top = ck.mapping(root, "", _TOP_KEYS, ("name", "threshold", "groups", "rules"))
    if top is None:
        return None, ck.problems

    def scalar(key: str, kind: str, default=None):
        return ck.scalar(top[key][1], key, kind) if key in top else default

    name = scalar("name", "str")
    if name is not None and not name.strip():
        ck.add(top["name"][1], "name", "empty name; give the watchlist a short slug")
    threshold = scalar("threshold", "number")
    title_boost = scalar("title_boost", "number", 1.0)
    description = scalar("description", "str", "")

    groups: dict[str, TermGroup] = {}
    seen_terms: dict[str, tuple[str, int]] = {}
    if "groups" in top:
        gmap = ck.mapping(top["groups"][1], "groups", ()) or {}
        if not gmap and isinstance(top["groups"][1], yaml.MappingNode):
            ck.add(top["groups"][1], "groups", "no groups defined")
        for gname, (gkey, gnode) in gmap.items():
            g = _parse_group(ck, gname, gnode, seen_terms)
            if g is not None:
                groups[gname] = g

    refs: dict[str, EntityRef] = {}
    known_roles = set(ROLES) | (roles or set())
    if "entities" in top:
        emap = ck.mapping(top["entities"][1], "entities", ()) or {}
        for rname, (rkey, rnode) in emap.items():
            where = f"entities.{rname}"
            if rname in groups:
                ck.add(rkey, where, f"name {rname!r} is already a term group; rename one of them")
                continue
            m = ck.mapping(rnode, where, _REF_KEYS, ("roles",))
            if m is None:
                continue
            rroles = [(n, v) for n, v in ck.str_list(m["roles"][1], f"{where}.roles")] if "roles" in m else []
            for n, v in rroles:
                if v not in known_roles:
                    ck.add(n, f"{where}.roles", f"unknown role {v!r}{did_you_mean(v, known_roles)}; "
                                                f"expected one of: {', '.join(sorted(known_roles))}")
            rtypes = ck.str_list(m["types"][1], f"{where}.types") if "types" in m else []
            for n, v in rtypes:
                if v not in TYPES:
                    ck.add(n, f"{where}.types", f"unknown type {v!r}; expected one of: {', '.join(TYPES)}")
            rheads = ck.str_list(m["heads"][1], f"{where}.heads") if "heads" in m else []
            for n, v in rheads:
                if v not in HEAD_LISTS:
                    ck.add(n, f"{where}.heads", f"unknown composition list {v!r}{did_you_mean(v, set(HEAD_LISTS))}; "
                                                f"expected one of: {', '.join(HEAD_LISTS)} (the gazetteer's)")
            weight = ck.scalar(m["weight"][1], f"{where}.weight", "number") if "weight" in m else 1.0
            desc = ck.scalar(m["description"][1], f"{where}.description", "str") if "description" in m else ""
            refs[rname] = EntityRef(rname, tuple(v for _, v in rroles), tuple(v for _, v in rtypes),
                                    float(weight or 1.0), desc or "", tuple(v for _, v in rheads))

    senses = parse_senses(ck, top["senses"][1], set(groups) | set(refs)) if "senses" in top else []
    proximity = parse_proximity(ck, top["proximity"][1]) if "proximity" in top else dict(PROXIMITY)

    rules: list[Rule] = []
    if "rules" in top:
        items = ck.sequence(top["rules"][1], "rules")
        if items is not None and not items:
            ck.add(top["rules"][1], "rules", "no rules; add at least one rule")
        seen_rules: dict[str, int] = {}
        for i, rnode in enumerate(items or []):
            r = _parse_rule(ck, i, rnode, set(groups) | set(refs), seen_rules)
            if r is not None:
                rules.append(r)

    if ck.problems:
        return None, sort_problems(ck.problems)
    wl = Watchlist(name=name, threshold=float(threshold), groups=groups, entities=refs, rules=rules,
                   description=description or "", title_boost=float(title_boost), path=Path(path),
                   version=_version(text.encode("utf-8")), source_text=text, senses=senses,
                   proximity=proximity)
    return wl, []


def _parse_group(ck: Checker, gname: str, gnode, seen_terms: dict[str, tuple[str, int]]) -> TermGroup | None:
    where = f"groups.{gname}"
    m = ck.mapping(gnode, where, _GROUP_KEYS, ("terms",))
    if m is None:
        return None
    weight = ck.scalar(m["weight"][1], f"{where}.weight", "number") if "weight" in m else 1.0
    mask = ck.scalar(m["mask"][1], f"{where}.mask", "bool") if "mask" in m else False
    desc = ck.scalar(m["description"][1], f"{where}.description", "str") if "description" in m else ""
    gsuffixes = _suffixes(ck, m["suffixes"][1], f"{where}.suffixes") if "suffixes" in m else ()
    terms: list[Term] = []
    items = ck.sequence(m["terms"][1], f"{where}.terms") if "terms" in m else None
    if items is not None and not items:
        ck.add(m["terms"][1], f"{where}.terms", "no terms; add at least one term")
    for i, tnode in enumerate(items or []):
        tw = f"{where}.terms[{i}]"
        variants: list[tuple[object, str]] = []
        tweight, tsuffixes = weight, gsuffixes
        if isinstance(tnode, yaml.MappingNode):
            tm = ck.mapping(tnode, tw, _TERM_KEYS, ("term",))
            if tm is None or "term" not in tm:
                continue
            text = ck.scalar(tm["term"][1], f"{tw}.term", "str")
            text_node = tm["term"][1]
            if "variants" in tm:
                variants = ck.str_list(tm["variants"][1], f"{tw}.variants")
            if "weight" in tm:
                tweight = ck.scalar(tm["weight"][1], f"{tw}.weight", "number")
            if "suffixes" in tm:
                tsuffixes = _suffixes(ck, tm["suffixes"][1], f"{tw}.suffixes")
        else:
            text = ck.scalar(tnode, tw, "str")
            text_node = tnode
        if text is None:
            continue
        ok = True
        for n, t, label in [(text_node, text, tw)] + [(n, v, f"{tw}.variants") for n, v in variants]:
            if REGEX_CHARS.search(t):
                ck.add(n, label, f"{t!r} looks like a regular expression; terms are plain words or phrases "
                                 "(clitics such as و ب ال are matched automatically)")
                ok = False
            elif not normalize(t):
                ck.add(n, label, "empty term; write the word or phrase, or delete the line")
                ok = False
            else:
                key = normalize(t)
                prev = seen_terms.get(key)
                if prev is not None and prev[0] == gname:
                    ck.add(n, label, f"duplicate term {t!r} in group {gname!r} (already on line {prev[1]}); "
                                     "delete one")
                    ok = False
                else:
                    seen_terms.setdefault(key, (gname, line_of(n)))
        if ok:
            terms.append(Term(text, tuple(v for _, v in variants), float(tweight if tweight is not None else 1.0),
                              tsuffixes, line_of(text_node)))
    return TermGroup(gname, terms, float(weight if weight is not None else 1.0), bool(mask), desc or "")


def _suffixes(ck: Checker, node, where: str) -> tuple[str, ...]:
    out = []
    for n, v in ck.str_list(node, where):
        if not normalize(v):
            ck.add(n, where, "empty suffix")
        elif v not in SUFFIX_SETS and not all("\u0621" <= c <= "\u064a" for c in normalize(v)):
            ck.add(n, where, f"unknown suffix set {v!r}; use one of {', '.join(SUFFIX_SETS)} or Arabic letters")
        else:
            out.append(v)
    return tuple(out)


def _parse_rule(ck: Checker, i: int, rnode, known: set[str], seen: dict[str, int]) -> Rule | None:
    where = f"rules[{i}]"
    m = ck.mapping(rnode, where, _RULE_KEYS, ("name",))
    if m is None:
        return None
    name = ck.scalar(m["name"][1], f"{where}.name", "str") if "name" in m else None
    if name:
        where = f"rules[{i}] ({name})"
        if name in seen:
            ck.add(m["name"][1], where, f"duplicate rule name {name!r} (first on line {seen[name]}); rename one")
        seen[name] = line_of(m["name"][1])
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("all_of", "any_of", "none_of", "context", "lead"):
        if key not in m:
            continue
        refs = ck.str_list(m[key][1], f"{where}.{key}")
        if not refs:
            ck.add(m[key][1], f"{where}.{key}", "empty list; name at least one group or remove the key")
        for n, ref in refs:
            if ref not in known:
                ck.add(n, f"{where}.{key}", f"unknown group {ref!r}{did_you_mean(ref, known)}; "
                                            "known groups and entity references: "
                                            f"{', '.join(sorted(known)) or '(none)'}")
        lists[key] = tuple(r for _, r in refs)
    if not (set(lists) - {"context", "lead"}) and name is not None:
        ck.add(rnode, where, "a rule needs at least one of all_of, any_of, none_of")
    within = ck.scalar(m["within"][1], f"{where}.within", "int") if "within" in m else None
    if within is not None and within < 1:
        ck.add(m["within"][1], f"{where}.within", f"within must be a positive number of words, got {within}")
    same = ck.scalar(m["same"][1], f"{where}.same", "str") if "same" in m else None
    if same is not None and same not in _SAME:
        ck.add(m["same"][1], f"{where}.same", f"unknown scope {same!r}; expected one of: {', '.join(_SAME)}")
    if "within" in m and "same" in m:
        ck.add(m["same"][1], where, "use either 'within' or 'same', not both")
    weight = ck.scalar(m["weight"][1], f"{where}.weight", "number") if "weight" in m else 1.0
    min_weight = ck.scalar(m["min_weight"][1], f"{where}.min_weight", "number") if "min_weight" in m else 1.0
    veto = ck.scalar(m["veto"][1], f"{where}.veto", "bool") if "veto" in m else False
    graded = ck.scalar(m["graded"][1], f"{where}.graded", "bool") if "graded" in m else False
    if graded and ("within" in m or "same" in m):
        ck.add(m["graded"][1], where, "a graded rule finds its own scope; remove 'within'/'same'")
    desc = ck.scalar(m["description"][1], f"{where}.description", "str") if "description" in m else ""
    if name is None:
        return None
    return Rule(name, lists.get("all_of", ()), lists.get("any_of", ()), lists.get("none_of", ()),
                lists.get("context", ()), float(min_weight if min_weight is not None else 1.0), within, same,
                float(weight if weight is not None else 1.0), bool(veto), desc or "", bool(graded),
                lists.get("lead", ()))


def validate_watchlist(path: str | Path, roles: set[str] | None = None) -> list[Problem]:
    """Every problem in the watchlist file at ``path`` (an empty list when it is valid).

    Each :class:`Problem` has the 1-based line, the field (dotted path such as
    ``groups.cooperation.terms[2]``) and a message saying how to fix it.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(None, "", f"cannot read the watchlist: {exc}")]
    return parse_watchlist(text, path, roles)[1]


def load_watchlist(path: str | Path, roles: set[str] | None = None) -> Watchlist:
    """Load a watchlist file.

    Raises:
        WatchlistError: carrying every problem found (file, line, field, message).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(str(path), [(None, "", f"cannot read the watchlist: {exc}")]) from exc
    wl, problems = parse_watchlist(text, path, roles)
    if problems or wl is None:
        raise WatchlistError(str(path), [tuple(p) for p in problems])
    wl.version = _version(data)
    log.debug("watchlist %s version %s: %d groups, %d rules", wl.name, wl.version, len(wl.groups), len(wl.rules))
    return wl
