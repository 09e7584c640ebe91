"""Scraped text made safe for each place the review side puts it.

Autoescaping (Jinja, feedgen) stops markup; these stop the rest:

* ``safe_url``: only http(s) URLs become links, never ``javascript:`` or ``data:``.
* ``xml_text``: characters XML 1.0 forbids (C0 controls other than tab/newline,
  lone surrogates, U+FFFE/U+FFFF) are dropped, so one stored title with a ``\\x01``
  cannot make the whole Atom feed unserialisable.
* ``inert_bidi``: bidi embedding, override and isolate controls (U+202A–U+202E,
  U+2066–U+2069) become U+200B ZERO WIDTH SPACE, one for one.  An unterminated
  U+202E in a title would otherwise reverse the neighbouring text (the source, the
  date, the next term); replacing rather than deleting keeps the stored match
  offsets valid for highlighting.  The review templates run every ``{{ … }}``
  through it (Jinja ``finalize``), so a new page is covered without remembering to.
"""

from __future__ import annotations

import re

from markupsafe import Markup

BIDI_CONTROLS = {c: "\u200b" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def safe_url(url: str | None) -> str:
    """Scraped URLs become links only if they are http(s): no ``javascript:`` or ``data:``."""
    url = (url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else "#"


def link_or_none(url: str | None) -> str | None:
    """The URL if it may be a link (see :func:`safe_url`), else None (for the feed,
    which leaves an unsafe link out instead of pointing it at ``#``)."""
    safe = safe_url(url)
    return None if safe == "#" else safe


def xml_text(text: str | None) -> str:
    """``text`` without characters XML 1.0 cannot hold, and with bidi controls neutralised."""
    return _XML_INVALID.sub("", inert_bidi(text or ""))


def inert_bidi(text):
    """Bidi embedding/override/isolate controls replaced one for one by U+200B.

    Accepts Markup too (the highlighted title and body): the controls are not markup,
    so translating them inside escaped HTML is safe and keeps it Markup.
    """
    if isinstance(text, Markup):
        return Markup(str(text).translate(BIDI_CONTROLS))
    if isinstance(text, str):
        return text.translate(BIDI_CONTROLS)
    return text
