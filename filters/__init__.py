"""Pure Arabic text code: normalisation, clitic-aware matching, watchlists, gazetteer.

Public API (import from the submodules; nothing is imported here so that loading one
module stays cheap):

- ``filters.normalize``: ``normalize(text)``, ``normalize_with_offsets(text)``, ``original_span``
- ``filters.clitics``: ``term_variants(term, suffixes)``, ``term_matches(term, text)``
- ``filters.watchlist``: ``load_watchlist(path)``, ``validate_watchlist(path)``
- ``filters.gazetteer``: ``load_gazetteer(path)``, ``validate_gazetteer(path)``
- ``filters.matcher``: ``Matcher(watchlists, gazetteer).score(title, body)``, ``explain(flag)``
- ``filters.loading``: ``load_matcher(watchlists_dir, gazetteer_path, files=None)``
"""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
