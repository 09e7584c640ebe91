"""The body fallback chain: which extraction path gives an article its text.

trafilatura with precision-leaning options first (the crawl's long-standing default);
when that finds nothing or too little, trafilatura with recall-leaning options (old
table layouts whose text sits in one <td> between <br><br>); then the page's own
structured copies of the text: JSON-LD `articleBody` and the embedded app state of
script-rendered shells.  A JSON-LD body much longer than trafilatura's wins too:
trafilatura then kept only a fragment.  The path's name is stored with the article.
"""

from __future__ import annotations

import copy
import logging

import trafilatura

from pipelines.boilerplate import clean_lines
from pipelines.bodytext import _key, clean_body, drop_repeated_paragraphs
from pipelines.structured import Structured, reads_as_body

log = logging.getLogger(__name__)
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

TRAFILATURA_PASSES = (
    ("trafilatura", {"favor_precision": True}),
    ("trafilatura_default", {}),
    ("trafilatura_recall", {"favor_recall": True}),
)
_INLINE = {"font", "b", "strong", "i", "em", "span", "br", "u", "small", "big", "sup", "sub", "mark", "q",
           "cite", "abbr"}
_BLOCK_TAGS = {"td", "div", "font", "span", "section", "article", "blockquote", "center", "p"}
# a structured body this many times longer than trafilatura's replaces it
STRUCTURED_WINS_AT = 1.5


def finish(text: str, headlines: set[str]) -> str:
    return drop_repeated_paragraphs(clean_lines(clean_body(text or ""), headlines))


def _own_text(el) -> str:
    """Text of `el` and its inline descendants, links left out, <br> as line breaks."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            if child.tag == "br":
                parts.append("\n")
            elif child.tag in _INLINE:
                parts.append(_own_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def text_block(tree) -> str:
    """The element holding the most running text of its own: on table layouts the
    article is one <td> of text between <br><br>, and trafilatura's recall passes
    take the whole page (menus, related headlines, footer) with it."""
    best = ""
    for el in tree.iter(*_BLOCK_TAGS):
        text = _own_text(el)
        if len(text) > len(best) and text.count("\n") >= 2:
            best = text
    return best


def body_chain(tree, url: str, ld: Structured, state: Structured, *, min_body_chars: int,
               headlines: set[str]) -> tuple[str, str, object] | None:
    """(body, path name, trafilatura document or None), or None when no path finds text."""
    best: tuple[str, str, object] | None = None
    first_doc = None
    for name, options in TRAFILATURA_PASSES:
        if name == "trafilatura_default":
            # between trafilatura's precise pass and its recall-leaning ones: the text block
            block = finish(text_block(tree), headlines)
            if len(block) >= min_body_chars and reads_as_body(block, min_body_chars):
                best = (block, "text_block", first_doc or None)
                break
        doc = trafilatura.bare_extraction(
            copy.deepcopy(tree), url=url, include_comments=False, include_tables=False, include_images=False,
            deduplicate=False, with_metadata=first_doc is None,
            date_extraction_params={"extensive_search": False, "original_date": True}, **options)
        if first_doc is None:
            first_doc = doc if doc is not None else False
        text = finish(doc.text if doc is not None else "", headlines)
        if name != "trafilatura" and text and _key(text) == _key(finish(ld.body, headlines)):
            name = "jsonld"    # trafilatura's own fallback read the JSON-LD articleBody
        if text and (best is None or len(text) > len(best[0])):
            best = (text, name, first_doc or None)
        if best and len(best[0]) >= min_body_chars:
            break
    for structured in (ld, state):
        text = finish(structured.body, headlines)
        if len(text) < min_body_chars:
            continue
        # JSON-LD's articleBody is this page's own text, so a much longer one means
        # trafilatura kept a fragment; app state also holds other stories (related,
        # most read), so it is used only when nothing else found a body.
        longer = structured.source == "jsonld" and best is not None and \
            len(text) >= STRUCTURED_WINS_AT * len(best[0])
        if best is None or len(best[0]) < min_body_chars or longer:
            best = (text, structured.source, first_doc or None)
            break
    return best
