"""Token-level F1 between an extracted body and the reference text (one definition,
in fixturesite/extraction_eval.py, shared with the extraction benchmark)."""

from fixturesite.extraction_eval import token_f1, tokens  # noqa: F401
