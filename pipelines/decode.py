"""Turn page bytes into text, trusting declarations first and detection last.

Arabic sites still serve windows-1256, sometimes without saying so; decoding such a
page as UTF-8 or windows-1252 yields mojibake that silently fails every filter.
Order: BOM, HTTP header, <meta charset>, then detection (UTF-8 if it decodes
cleanly, else charset_normalizer, with a check that an Arabic code page really gives
Arabic letters).  w3lib does the declared part; charset_normalizer the detection.
"""

from __future__ import annotations

import re

import charset_normalizer
from w3lib.encoding import html_to_unicode, resolve_encoding

_ARABIC = re.compile(r"[\u0600-\u06FF]")
_LETTER = re.compile(r"[^\W\d_]")


def arabic_ratio(text: str) -> float:
    """Share of letters that are Arabic (0.0 for no letters)."""
    letters = len(_LETTER.findall(text))
    return len(_ARABIC.findall(text)) / letters if letters else 0.0


def detect_encoding(body: bytes) -> str:
    """Best guess for undeclared bytes."""
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    guess = best.encoding if best else "cp1256"
    # Detectors confuse cp1256 with cp1252/latin-1 on short pages; prefer whichever
    # code page yields Arabic text, since that is what these sites publish.
    guessed = body.decode(guess, errors="replace")
    arabic = body.decode("cp1256", errors="replace")
    if arabic_ratio(arabic) > max(0.3, arabic_ratio(guessed)):
        return "cp1256"
    return guess


def decode_html(body: bytes, content_type: str | None = None, forced: str = "") -> tuple[str, str]:
    """Returns (text, encoding name)."""
    if forced:
        enc = resolve_encoding(forced) or forced
        return body.decode(enc, errors="replace"), enc
    enc, text = html_to_unicode(content_type, body, default_encoding="utf-8",
                                auto_detect_fun=lambda b: detect_encoding(b))
    return text, enc
