"""raqib (رقيب, "the watcher"): shared vocabulary for every stage.

The stages live in sibling top-level packages so the layout tells the data flow:
``config`` (sources, settings) → ``spiders`` → ``pipelines`` (extract → dedupe →
filter) → ``storage`` → ``review``.  This package only holds what all of them share:
typed items, domain errors and the version.
"""

__version__ = "0.1.0"
