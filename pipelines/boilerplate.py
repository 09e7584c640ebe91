"""Text that reads like body but is not: "اقرأ أيضا" boxes, related and most-read
headline lists, captions, pull-quotes, reader comments and comment forms.

They matter beyond tidiness: related and most-read lists carry *other* stories'
security headlines and make the filters flag unrelated articles.  `prune` removes
such blocks from the tree before trafilatura reads it; `clean_lines` drops what
slips through, line by line, after extraction.
"""

from __future__ import annotations

import re

_BOX_CLASS = re.compile(
    r"related|read-?also|readalso|read-?more|readmore|__also|more-from|most-?read|mostread|popular|"
    r"comment|respond|share|sharing|social|breaking|newsletter|widget|caption|pull-?quote|sidebar|"
    r"post-navigation|tags-?links|tagcloud", re.I)
_KEEP_TAGS = {"html", "body", "main", "article"}
# "elementor-widget-theme-post-content", "entry-content share-on": a body container whose
# class also matches a box word; kept when it holds running text.
_CONTENT_CLASS = re.compile(r"content|entry|article|post-?body|story|text", re.I)
# Headings and lead-ins of boxes ("اقرأ أيضا: <another story>", "مقالات ذات صلة" …).
_MARKERS = re.compile(
    r"^\W*([اإأ]قر[أا]|طالع|شاهد|تابع|[اإأ]طلع)\s+(ايضا|أيضا|أيضًا|ايضًا|كذلك|المزيد)|"
    r"^\W*(مقالات|مواضيع|اخبار|أخبار|مواد|قصص)\s+(ذات\s+صلة|متعلقة|مرتبطة|قد\s+تهمك)|"
    r"^\W*(الاكثر|الأكثر)\s+(قراءة|مشاهدة|تداولا|تعليقا)|^\W*(قد\s+يعجبك|ننصحك\s+بقراءة)")
# "المزيد من <section>" heads a box only as a short line: a body sentence may start so.
_MORE_FROM = re.compile(r"^\W*المزيد\s+من\s+\S+(\s+\S+)?\W*$")
_COMMENT_LINES = re.compile(
    r"^\W*(اترك|أترك|أضف|اضف|أكتب|اكتب)\s+(تعليق|تعليقا|تعليقًا|ردا|رد)\W*$|^\W*لن\s+يتم\s+نشر\s+(عنوان\s+)?بريدك|"
    r"^\W*(شروط|قواعد)\s+(التعليق|النشر)\W*$|^\W*إرسال\s+التعليق\W*$|^\W*\d*\s*(تعليقات|تعليق)\s+على\s+[“\"«]|"
    r"^\W*الحقول\s+(الإلزامية|المطلوبة)|"
    # comment policies and disclaimers printed above the comments (CNN Arabic's, for one)
    r"(الآراء|التعليقات)\s+(الواردة|المنشورة).{0,80}لا\s+(تعبر|يعبر|تمثل)|"
    r"(ترحب|نرحب|يرجى|ننصحك).{0,120}التعليق")
_MAX_MARKER_WORDS = 40


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text or "")


def link_texts(tree, min_words: int = 4) -> set[str]:
    """Keys of the page's link texts long enough to be headlines."""
    out = set()
    for a in tree.iter("a"):
        text = a.text_content().strip()
        if len(text.split()) >= min_words:
            out.add(_key(text))
    return out


def _paragraph_chars(el) -> int:
    return sum(len(p.text_content()) for p in el.iter("p"))


def _main_container(tree):
    """The element whose own <p> children hold the most text: the article body."""
    best, best_chars = None, 0
    for p in tree.iter("p"):
        parent = p.getparent()
        if parent is None or parent is best:
            continue
        chars = sum(len(c.text_content()) for c in parent if c.tag == "p")
        if chars > best_chars:
            best, best_chars = parent, chars
    return best if best_chars >= 400 else None


def prune(tree) -> int:
    """Remove boilerplate blocks in place; returns how many.  A block that holds the
    <h1>, the main text container or most of the page's paragraph text is never
    removed, whatever its class (Elementor wraps the body in "…-widget-…")."""
    total = _paragraph_chars(tree) or 1
    main = _main_container(tree)
    protected = set() if main is None else {main, *main.iterancestors()}
    doomed = []
    for el in tree.iter("*"):
        if not isinstance(el.tag, str) or el.tag in _KEEP_TAGS:
            continue
        label = f"{el.get('class', '')} {el.get('id', '')}"
        if label.strip() and _BOX_CLASS.search(label) or el.tag == "figcaption" or el.tag == "aside":
            if not (_CONTENT_CLASS.search(label) and "comment" not in label.lower()
                    and len(el.xpath(".//p")) >= 3 and _paragraph_chars(el) >= 400):
                doomed.append(el)
                continue
        if el.tag in ("p", "div", "section", "li", "h2", "h3", "h4", "h5", "span", "strong", "b"):
            text = el.text_content().strip()
            if text and (_MARKERS.search(text) and len(text.split()) <= _MAX_MARKER_WORDS or _MORE_FROM.search(text)):
                doomed.append(el)
                nxt = el.getnext()
                if el.tag.startswith("h") and nxt is not None and nxt.tag in ("ul", "ol"):
                    doomed.append(nxt)
    removed = 0
    for el in doomed:
        if el.getparent() is None or el in protected or el.xpath(".//h1") or _paragraph_chars(el) > 0.5 * total:
            continue
        if any(anc in doomed for anc in el.iterancestors()):
            continue
        tail = el.tail
        parent = el.getparent()
        if tail and tail.strip():
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)
        removed += 1
    return removed


def clean_lines(body: str, headlines: set[str] = frozenset()) -> str:
    """Drop lines that are box headings, comment-form text or another story's headline."""
    out = []
    for line in body.split("\n"):
        if (_MARKERS.search(line) and len(line.split()) <= _MAX_MARKER_WORDS) or _MORE_FROM.search(line):
            continue
        if _COMMENT_LINES.search(line):
            continue
        if headlines and _key(line) in headlines:
            continue
        out.append(line)
    return "\n".join(out)
