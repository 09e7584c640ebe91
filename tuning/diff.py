"""What changed between two versions of a watchlist, in the analyst's terms.

A text diff of YAML shows moved lines and re-indentation; analysts want to know
which terms and rules changed.  Terms are compared by their normalised spelling, so
adding a diacritic is not reported as a new term.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from filters.normalize import normalize
from filters.watchlist import Rule, Watchlist

_RULE_FIELDS = ("all_of", "any_of", "none_of", "context", "lead", "min_weight", "within", "same", "weight", "veto",
                "graded")


@dataclass
class WatchlistDiff:
    old_version: str
    new_version: str
    settings: dict[str, tuple] = field(default_factory=dict)          # threshold, title_boost
    groups_added: list[str] = field(default_factory=list)
    groups_removed: list[str] = field(default_factory=list)
    terms_added: dict[str, list[str]] = field(default_factory=dict)    # group -> spellings
    terms_removed: dict[str, list[str]] = field(default_factory=dict)
    rules_added: list[str] = field(default_factory=list)
    rules_removed: list[str] = field(default_factory=list)
    rules_changed: dict[str, dict[str, tuple]] = field(default_factory=dict)  # rule -> field -> (old, new)

    @property
    def empty(self) -> bool:
        return not (self.settings or self.groups_added or self.groups_removed or self.terms_added
                    or self.terms_removed or self.rules_added or self.rules_removed or self.rules_changed)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def _spellings(wl: Watchlist, group: str) -> dict[str, str]:
    """normalised → as written, for a group's terms and variants."""
    out: dict[str, str] = {}
    grp = wl.groups.get(group)
    for term in grp.terms if grp else ():
        for text in (term.text, *term.variants):
            out.setdefault(normalize(text), text)
    return out


def _rule_fields(rule: Rule) -> dict:
    return {f: getattr(rule, f) for f in _RULE_FIELDS}


def diff_watchlists(old: Watchlist, new: Watchlist) -> WatchlistDiff:
    d = WatchlistDiff(old.version, new.version)
    for key in ("threshold", "title_boost", "proximity"):
        if getattr(old, key) != getattr(new, key):
            d.settings[key] = (getattr(old, key), getattr(new, key))
    d.groups_added = [g for g in new.groups if g not in old.groups]
    d.groups_removed = [g for g in old.groups if g not in new.groups]
    for group in list(old.groups) + d.groups_added:
        before, after = _spellings(old, group), _spellings(new, group)
        added = [after[k] for k in after if k not in before]
        removed = [before[k] for k in before if k not in after]
        if added:
            d.terms_added[group] = added
        if removed:
            d.terms_removed[group] = removed
    old_rules = {r.name: r for r in old.rules}
    new_rules = {r.name: r for r in new.rules}
    d.rules_added = [n for n in new_rules if n not in old_rules]
    d.rules_removed = [n for n in old_rules if n not in new_rules]
    for name in new_rules.keys() & old_rules.keys():
        a, b = _rule_fields(old_rules[name]), _rule_fields(new_rules[name])
        changed = {f: (a[f], b[f]) for f in _RULE_FIELDS if a[f] != b[f]}
        if changed:
            d.rules_changed[name] = changed
    d.rules_changed = dict(sorted(d.rules_changed.items()))
    return d
