"""The entity gazetteer: typed, role-tagged entities with their spelling variants.

Watchlists refer to *roles* (``moroccan_actor``, ``foreign_partner``, ``moroccan_place``)
rather than listing every agency and spelling themselves, so one list of "who is a
Moroccan security actor" serves every watchlist and is edited in one place.

File format (YAML)::

    entities:
      - name: المديرية العامة للأمن الوطني      # canonical name (also matched)
        type: organisation                      # person / organisation / country
        role: moroccan_actor
        variants: [الأمن الوطني, DGSN]
        adjectives: [مغربي]                      # optional nisba stems (→ مغربية، مغربيين...)
        plurals: [مغاربة]                        # optional broken plurals, used as adjectives

Adjective stems are expanded with the feminine and plural endings (فرنسي → فرنسية،
فرنسيين، فرنسيون) because that is how partners usually appear (الشرطة الفرنسية).
Broken plurals (مغاربة، إسبان، أتراك) cannot be derived from the stem, so they are
listed as written; they name the entity and, like adjectives, make composed actors
(الضباط المغاربة، المحققون الإسبان).

Security bodies are often named by composition rather than by a listed name: a
security noun plus a nationality adjective, a country or a place (الشرطة الهولندية،
نظيرتها الإسبانية، مصالح الأمن بطنجة).  The optional ``composition`` section lists
the nouns and the attributes that may stand between noun and modifier; the matcher
(:mod:`filters.compose`) turns such phrases into actors of the modifier's side::

    composition:
      heads: [الشرطة, الأجهزة الأمنية, نظيرتها]     # security nouns (clitics automatic)
      authorities: [السلطات]                       # generic nouns: a Moroccan one is only a
                                                   # moroccan_authority (السلطات المغربية)
      counterparts: [نظراؤه, زملاؤنا]               # generic too: how one side names the other's
                                                   # bodies (نظراؤه المغاربة); a watchlist entity
                                                   # reference may ask for them alone (heads:)
      attributes: [الوطنية, القضائية]              # words allowed between noun and modifier
      possessed: [الأجهزة الأمنية, الجيش]          # bodies also named with a pronoun (أجهزته
                                                   # الأمنية، جيشها): the owner is the country
                                                   # named just before, in the same sentence
      venues: [مطار, ميناء]                          # where a body serves: شرطة الحدود بمطار طنجة
      envoys: [وفد أمني, ضباط]                       # heads sent from a country, which also take
                                                   # من before it (وفد أمني من المملكة المغربية)
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from filters.clitics import SUFFIX_SETS
from filters.normalize import normalize
from filters.yamlcheck import REGEX_CHARS, Checker, Problem, compose, sort_problems
from raqib.errors import WatchlistError

log = logging.getLogger(__name__)

__all__ = ["Gazetteer", "GazEntity", "TYPES", "ROLES", "HEAD_LISTS", "load_gazetteer", "validate_gazetteer"]

TYPES = ("person", "organisation", "country", "place")
ROLES = ("moroccan_actor", "foreign_partner", "moroccan_place", "moroccan_city", "moroccan_context", "moroccan_authority")
_COMPOSITION_KEYS = ("heads", "authorities", "counterparts", "attributes", "possessed", "venues", "envoys")
#: Composition lists of nouns a composed actor can be made on (a watchlist entity reference
#: may keep only the actors made on some of them: ``heads: [counterparts]``).
HEAD_LISTS = ("heads", "authorities", "counterparts")
_ENTITY_KEYS = ("name", "type", "role", "variants", "adjectives", "plurals", "note")


@dataclass(frozen=True)
class GazEntity:
    name: str
    type: str
    role: str
    variants: tuple[str, ...]          # as written (name first), adjectives expanded
    line: int = 0
    adjectives: tuple[str, ...] = ()   # the expanded adjective forms (also in variants)


@dataclass
class Gazetteer:
    entities: list[GazEntity] = field(default_factory=list)
    path: Path | None = None
    version: str = ""
    heads: tuple[str, ...] = ()         # composition: security nouns
    authorities: tuple[str, ...] = ()   # composition: generic nouns (السلطات) → weaker Moroccan role
    counterparts: tuple[str, ...] = ()  # composition: generic too, one side's name for the other's bodies
    attributes: tuple[str, ...] = ()    # composition: words allowed between noun and modifier
    possessed: tuple[str, ...] = ()     # composition: nouns that name a body with a pronoun (أجهزته الأمنية)
    venues: tuple[str, ...] = ()        # composition: where a body serves, before the place (بمطار طنجة)
    envoys: tuple[str, ...] = ()        # composition: heads that also take من before their country

    @property
    def roles(self) -> set[str]:
        return {e.role for e in self.entities} | set(ROLES)

    def by_role(self, role: str) -> list[GazEntity]:
        return [e for e in self.entities if e.role == role]




def _adjective_forms(stem: str) -> list[str]:
    out = [stem]
    for s in SUFFIX_SETS["nisba"] + SUFFIX_SETS["dual_feminine"]:
        out.append(stem + s)
    return out


def parse_gazetteer(text: str, path: str | Path = "<gazetteer>") -> tuple[Gazetteer, list[Problem]]:
    """Parse gazetteer YAML text; returns the (possibly partial) gazetteer and all problems."""
    root, problems = compose(text)
    gaz = Gazetteer(path=Path(path), version=hashlib.sha256(text.encode("utf-8")).hexdigest()[:12])
    if problems:
        return gaz, problems
    ck = Checker()
    if root is None:
        ck.add(None, "entities", "the file is empty; add an 'entities:' list")
        return gaz, ck.problems
    top = ck.mapping(root, "", ("entities", "composition"), ("entities",))
    if top and "composition" in top:
        comp = ck.mapping(top["composition"][1], "composition", _COMPOSITION_KEYS, ("heads",))
        if comp:
            listed: dict[str, list] = {}
            for key in _COMPOSITION_KEYS:      # each key is the Gazetteer field of the same name
                vals = listed[key] = ck.str_list(comp[key][1], f"composition.{key}") if key in comp else []
                for n, v in vals:
                    if REGEX_CHARS.search(v) or not normalize(v):
                        ck.add(n, f"composition.{key}", f"{v!r} is not a plain word or phrase")
                setattr(gaz, key, tuple(dict.fromkeys(v for _, v in vals if normalize(v))))
            # an envoy is a head that also takes من: one that is not a head would never be read
            known = {normalize(h) for h in gaz.heads}
            for n, v in listed["envoys"]:
                if normalize(v) and normalize(v) not in known:
                    ck.add(n, "composition.envoys", f"{v!r} is not in composition.heads; add it there too")
    seen_names: dict[str, int] = {}
    seen_variants: dict[str, tuple[str, int]] = {}
    if top and "entities" in top:
        for i, node in enumerate(ck.sequence(top["entities"][1], "entities") or []):
            where = f"entities[{i}]"
            m = ck.mapping(node, where, _ENTITY_KEYS, ("name", "type", "role"))
            if m is None:
                continue
            name = ck.scalar(m["name"][1], f"{where}.name", "str") if "name" in m else None
            etype = ck.scalar(m["type"][1], f"{where}.type", "str") if "type" in m else None
            role = ck.scalar(m["role"][1], f"{where}.role", "str") if "role" in m else None
            if etype is not None and etype not in TYPES:
                ck.add(m["type"][1], f"{where}.type", f"unknown type {etype!r}; expected one of: {', '.join(TYPES)}")
            if role is not None and not role.strip():
                ck.add(m["role"][1], f"{where}.role", "empty role")
            if name is not None:
                if not normalize(name):
                    ck.add(m["name"][1], f"{where}.name", "empty name")
                elif name in seen_names:
                    ck.add(m["name"][1], f"{where}.name",
                           f"duplicate entity {name!r} (first on line {seen_names[name]}); merge the two entries")
                else:
                    seen_names[name] = m["name"][1].start_mark.line + 1
            spellings: list[tuple[object, str]] = [(m["name"][1], name)] if name else []
            adjectives: list[str] = []
            if "variants" in m:
                spellings += ck.str_list(m["variants"][1], f"{where}.variants")
            if "adjectives" in m:
                # a form that is also a name (إسباني + ا = إسبانيا) stays a name only
                names = {normalize(v) for _, v in spellings if isinstance(v, str)}
                for n, stem in ck.str_list(m["adjectives"][1], f"{where}.adjectives"):
                    spellings += [(n, form) for form in _adjective_forms(stem)]
                    adjectives += [f for f in _adjective_forms(stem) if normalize(f) not in names]
            if "plurals" in m:
                for n, form in ck.str_list(m["plurals"][1], f"{where}.plurals"):
                    spellings.append((n, form))
                    adjectives.append(form)
            variants: list[str] = []
            for n, v in spellings:
                if REGEX_CHARS.search(v):
                    ck.add(n, where, f"variant {v!r} looks like a regular expression; write plain words")
                    continue
                if not normalize(v):
                    ck.add(n, where, "empty variant; remove it")
                    continue
                key = normalize(v)
                prev = seen_variants.get(key)
                if prev and prev[0] != name:
                    ck.add(n, where, f"variant {v!r} also belongs to {prev[0]!r} (line {prev[1]}); "
                                     "an entity spelling must be unambiguous")
                    continue
                seen_variants[key] = (name or "", n.start_mark.line + 1)
                if v not in variants:
                    variants.append(v)
            if name and etype in TYPES and role:
                gaz.entities.append(GazEntity(name, etype, role, tuple(variants),
                                              node.start_mark.line + 1, tuple(adjectives)))
    return gaz, sort_problems(ck.problems)


def validate_gazetteer(path: str | Path) -> list[Problem]:
    """Every problem in the gazetteer file at ``path`` (empty list when valid)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(None, "", f"cannot read the gazetteer: {exc}")]
    return parse_gazetteer(text, path)[1]


def load_gazetteer(path: str | Path) -> Gazetteer:
    """Load and validate a gazetteer file.

    Raises:
        WatchlistError: listing every problem (file, line, field), when it is invalid.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(str(path), [(None, "", f"cannot read the gazetteer: {exc}")]) from exc
    gaz, problems = parse_gazetteer(text, path)
    if problems:
        raise WatchlistError(str(path), [tuple(p) for p in problems])
    log.debug("gazetteer %s: %d entities", path, len(gaz.entities))
    return gaz
