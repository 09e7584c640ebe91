"""The relevance model: learns from the analysts' verdicts what the watchlist misses.

``relevance.model`` is the estimator (no I/O); ``relevance.train`` gathers the labels
from the store, trains, scores and explains.  Only ``storage.relevance`` touches the
database.
"""
