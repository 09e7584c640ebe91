"""Wire copies: the same story carried by other outlets, edited the way outlets edit.

A wire story (MAP, AFP, an agency's dispatch) reaches five outlets as five pages
with small differences: a dateline and credit line, a new title, a dropped closing
paragraph, an outlet's own lead, a trimmed version, words swapped here and there.
Each copy records the story it copies (``Story.copy_of``), so a crawl of the fixture
sites can be scored against the truth: which stored articles are the same story.

    from fixturesite.copies import with_copies
    with FixtureSite(stories=with_copies(load_stories())) as site: ...

Deterministic: the same stories give the same copies, ids and dates.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fixturesite.content import OUTLETS, Block, Story, first_sentence

# The edit kinds, applied in turn; a story's second copy takes the next kind.
KINDS = ("agency", "retitled", "lead", "trimmed", "reworded")

_DATELINE = "الرباط (و م ع) - "
_CREDIT = "(المصدر: وكالة المغرب العربي للأنباء بتصرف)"
_LEADS = ("أفادت مصادر متطابقة، اليوم، بما يلي:", "علمت الجريدة من مصادر مطلعة أن الخبر التالي تأكد رسميا.",
          "في تطور لافت، تناقلت وسائل الإعلام الخبر الآتي.")
_RELATED = "اقرأ أيضا: مقالات ذات صلة في قسم الأخبار الوطنية."
# Words outlets swap when they rewrite agency copy (each pair both ways is not needed).
_SWAPS = (("أكد", "شدد"), ("أعلن", "كشف"), ("الجانبين", "الطرفين"), ("اليوم", "هذا اليوم"),
          ("خلال", "أثناء"), ("مجال", "ميدان"), ("عن", "بخصوص"))
_TITLE_PREFIX = ("عاجل: ", "بالفيديو: ", "رسميا: ")


def _paragraph_blocks(blocks: list[Block]) -> list[Block]:
    return [b for b in blocks if b.kind == "p"]


def edit(story: Story, kind: str, n: int) -> tuple[str, list[Block]]:
    """(title, blocks) of the ``kind`` copy of ``story``; ``n`` varies the wording."""
    title, blocks = story.title, [Block(b.kind, b.text) for b in story.blocks]
    paras = _paragraph_blocks(blocks)
    if kind == "agency":
        if paras:
            paras[0].text = _DATELINE + paras[0].text
        blocks.append(Block("p", _CREDIT))
    elif kind == "retitled":
        title = _TITLE_PREFIX[n % len(_TITLE_PREFIX)] + title
        if len(paras) >= 4:
            blocks.remove(paras[-1])
    elif kind == "lead":
        blocks.insert(0, Block("p", _LEADS[n % len(_LEADS)]))
        if paras:
            paras[0].text = first_sentence(paras[0].text, max_words=30) + "."
    elif kind == "trimmed":
        keep = max(3, -(-len(paras) * 3 // 4))
        for b in paras[keep:]:
            blocks.remove(b)
        blocks.append(Block("p", _RELATED))
    elif kind == "reworded":
        for b in paras:
            for old, new in _SWAPS:
                b.text = b.text.replace(f" {old} ", f" {new} ", 1)
        title = title.replace("المغرب", "المملكة", 1)
    else:
        raise ValueError(f"unknown copy kind {kind!r}; expected one of {', '.join(KINDS)}")
    return title, blocks


def wire_copies(stories: list[Story], *, every: int = 2, second_every: int = 4) -> list[Story]:
    """Copies of every ``every``-th story on other outlets (and a second copy of every
    ``second_every``-th), published hours after it, with ids after the last story's."""
    next_id = max((s.id for s in stories), default=100) + 1
    copies: list[Story] = []
    n = 0
    for i, story in enumerate(stories):
        if i % every:
            continue
        count = 2 if i % second_every == 0 else 1
        others = [o for o in OUTLETS if o != story.outlet]
        for k in range(count):
            kind = KINDS[n % len(KINDS)]
            title, blocks = edit(story, kind, n)
            copies.append(replace(
                story, id=next_id, outlet=others[(i + k) % len(others)], title=title, blocks=blocks,
                published=story.published + timedelta(hours=2 + 3 * k, minutes=7 * (n % 8)),
                forms=[], comment_form=[], copy_of=story.id, copy_kind=kind, modified=None, version=0))
            next_id += 1
            n += 1
    return copies


def with_copies(stories: list[Story], **kw) -> list[Story]:
    """``stories`` followed by their wire copies."""
    return list(stories) + wire_copies(stories, **kw)
