"""Class-level tokens from the matcher's own evidence, for the relevance model.

Why: the model learns from a few dozen labelled stories written next to the
watchlist, so the words it learns are those stories' words; a story told in other
words (another country, another agency, another verb) shares few of them.  What does
transfer is the *shape* of the evidence the matcher already found and stored with
each flag (house rule 7: nothing is re-matched here): which groups were present
(a Moroccan actor, a foreign partner, cooperation language ...), how close together
(same sentence, same paragraph, anywhere in the article), whether they lead the
story, and which kinds of entities were named.  Those become abstract tokens such as
``p:moroccan_actor+partner:para`` that any story with that shape carries, whatever
its words.

Deliberately *not* tokens: which rules fired or what they lacked.  On the labelled
stories (written next to the watchlist) "rule fired" separates the labels almost
perfectly, so the model would learn to copy the rules and put little weight on the
partial evidence that is all an unflagged story has; the near-miss queue already
has the rules' closeness as its other signal (relevance/near_miss.py).  On the
development set (tests/fixtures/dev, bench/near_miss.py --set) the rule tokens put
the rule-missed positives lower.

Closeness tokens are cumulative (a pair in one sentence also yields ``:para`` and
``:art``) so the model can weigh "at least this close".  Pure code: no I/O.
"""

from __future__ import annotations

import bisect
from itertools import combinations

from filters.fields import breaks as _breaks    # the matcher's own paragraphs and sentences
from filters.scoring import LEAD_PARAGRAPHS     # the story's lead: the title and its first paragraphs
from storage.relevance import MODEL_WATCHLIST

__all__ = ["evidence_tokens", "describe", "SKIP_WATCHLISTS"]

#: Flags that are not rule evidence (the model's own flags must not feed the model).
SKIP_WATCHLISTS = frozenset({MODEL_WATCHLIST})


def evidence_tokens(body: str | None, flags: list[dict] | None) -> list[str]:
    """Abstract tokens describing the stored flags' evidence in one article.

    Args:
        body: the article body the flags' offsets index (title offsets are the title's).
        flags: stored flag rows (``watchlist``, ``matches``, ``entities``),
            already decoded from JSON; rows of :data:`SKIP_WATCHLISTS` are ignored.
    Returns:
        Tokens, each at most once, in a stable order.
    """
    if not flags:
        return []
    breaks = None
    out: dict[str, None] = {}
    for flag in flags:
        if flag.get("watchlist") in SKIP_WATCHLISTS:
            continue
        if breaks is None:
            breaks, sbreaks = _breaks(body or "")
        # per group: the sentences and paragraphs it occurs in ("t" = the title, its own unit)
        sents: dict[str, set] = {}
        paras: dict[str, set] = {}
        for m in flag.get("matches") or ():
            group = m["group"]
            if m.get("field") == "title":
                sents.setdefault(group, set()).add("t")
                paras.setdefault(group, set()).add("t")
            else:
                start = m["start"]
                sents.setdefault(group, set()).add(bisect.bisect_left(sbreaks, start))
                paras.setdefault(group, set()).add(bisect.bisect_left(breaks, start))
        for group in sorted(sents):
            out[f"g:{group}"] = None
            if "t" in sents[group]:
                out[f"t:{group}"] = None
            if any(p == "t" or p < LEAD_PARAGRAPHS for p in paras[group]):
                out[f"l:{group}"] = None
        for a, b in combinations(sorted(sents), 2):
            out[f"p:{a}+{b}:art"] = None
            if paras[a] & paras[b]:
                out[f"p:{a}+{b}:para"] = None
                if sents[a] & sents[b]:
                    out[f"p:{a}+{b}:sent"] = None
        for e in flag.get("entities") or []:
            if e.get("role"):
                out[f"e:{e['role']}"] = None
                if e.get("type"):
                    out[f"e:{e['role']}:{e['type']}"] = None
    return list(out)


_REACH = {"sent": "في جملة واحدة", "para": "في فقرة واحدة", "art": "في المقال"}


def describe(token: str) -> str:
    """A token as the article page shows it ("why the model thinks so"): group names
    as the watchlist spells them, places in Arabic — ``p:moroccan_actor+partner:sent``
    → ``moroccan_actor + partner في جملة واحدة``.  Unknown shapes are returned as they are."""
    kind, _, rest = token.partition(":")
    if token == "g:none":
        return "لا دليل من القواعد"          # the matcher found no group at all
    if kind == "g":
        return rest
    if kind == "t":
        return f"{rest} في العنوان"
    if kind == "l":
        return f"{rest} في المقدمة"
    if kind == "p":
        pair, _, reach = rest.rpartition(":")
        return f"{pair.replace('+', ' + ')} {_REACH.get(reach, reach)}"
    if kind == "e":
        role, _, typ = rest.partition(":")
        return f"{role} ({typ})" if typ else role
    return token
