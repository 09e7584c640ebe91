"""Documents → feature matrix for the relevance model, fast enough to score in microseconds.

Why not scikit-learn's TfidfVectorizer: it looks every n-gram of every document up in
a Python dict, one at a time — ~0.4 ms for a 700-word story, most of the model's
scoring cost once character n-grams were gone.  Here word ids come from one
``map(dict.get)`` pass (C), bigrams are looked up as integer codes
(``id_a × V + id_b``) with ``numpy.searchsorted`` against the sorted codes seen in
training, and term frequencies come from ``numpy.unique``: the per-feature work is in
C.  The weighting is TfidfVectorizer's (``sublinear_tf``, smoothed idf, l2 norm), so
the model is the same kind of model.

A document is the string :func:`relevance.model.document` builds: stemmed words, then
:data:`SEP`, then evidence tokens (:mod:`relevance.evidence`), which form a second,
binary, block scaled by ``evidence_weight``.
"""

from __future__ import annotations

from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

__all__ = ["DocVectorizer", "SEP"]

#: Separates the words from the evidence tokens in a document string (never in normalised text).
SEP = "\x1e"
#: The evidence block's token for "the matcher found nothing": never an empty block.
NO_EVIDENCE = "g:none"    # described by relevance.evidence.describe


def _parts(doc: str) -> tuple[list[str], list[str]]:
    words, _, ev = doc.partition(SEP)
    return words.split(), (ev.split() or [NO_EVIDENCE])


class DocVectorizer(BaseEstimator, TransformerMixin):
    """Word 1–2-grams (tf-idf, sublinear, l2) + evidence tokens (binary × ``evidence_weight``).

    Args:
        evidence_weight: scale of the evidence block against the l2-normalised word block.
        bigrams: also use word pairs (a pair is known only if both its words are).
    """

    def __init__(self, evidence_weight: float = 0.5, bigrams: bool = True):
        self.evidence_weight = evidence_weight
        self.bigrams = bigrams

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, docs, y=None):
        vocab: dict[str, int] = {}
        ev_vocab: dict[str, int] = {}
        parsed = [_parts(d) for d in docs]
        for words, ev in parsed:
            for w in words:
                vocab.setdefault(w, len(vocab))
            for e in ev:
                ev_vocab.setdefault(e, len(ev_vocab))
        self.vocabulary_ = vocab
        self.evidence_vocabulary_ = ev_vocab
        v = len(vocab)
        codes = set()
        if self.bigrams:
            for words, _ in parsed:
                ids = np.fromiter(map(vocab.__getitem__, words), dtype=np.int64, count=len(words))
                codes.update((ids[:-1] * v + ids[1:]).tolist())
        self.bigram_codes_ = np.array(sorted(codes), dtype=np.int64)
        # document frequencies → smoothed idf, as TfidfVectorizer(smooth_idf=True)
        _, cols, _ = self._word_counts(parsed)
        df = np.bincount(cols, minlength=self.n_word_features_).astype(np.float64)
        n = len(parsed)
        self.idf_ = np.log((1 + n) / (1 + df)) + 1.0
        return self

    @property
    def n_word_features_(self) -> int:
        return len(self.vocabulary_) + len(self.bigram_codes_)

    # -- transforming ----------------------------------------------------------------------
    def transform(self, docs) -> sp.csr_matrix:
        """The feature matrix (documents × features)."""
        rows, cols, vals = self.triplets(docs)
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), self.n_features_))

    @property
    def n_features_(self) -> int:
        return self.n_word_features_ + len(self.evidence_vocabulary_)

    def _word_counts(self, parsed: list[tuple[list[str], list[str]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, count) of every known word and word pair in each parsed
        document, for the whole batch in a few numpy calls (per-document numpy calls
        were most of the cost); ``fit`` takes document frequencies from it, ``triplets``
        the weights."""
        v, n_words = len(self.vocabulary_), self.n_word_features_
        n = len(parsed)
        lengths = np.fromiter((len(w) for w, _ in parsed), dtype=np.int64, count=n)
        all_words = [w for words, _ in parsed for w in words]
        ids = np.fromiter(map(self.vocabulary_.get, all_words, repeat(-1)), dtype=np.int64, count=len(all_words))
        doc_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
        keys = [doc_of[ids >= 0] * (n_words + 1) + ids[ids >= 0]]
        codes = self.bigram_codes_
        if self.bigrams and len(ids) > 1 and len(codes):
            a, b = ids[:-1], ids[1:]
            ok = (a >= 0) & (b >= 0) & (doc_of[:-1] == doc_of[1:])     # no pair across two documents
            pair = a[ok] * v + b[ok]
            pos = np.searchsorted(codes, pair)
            pos[pos >= len(codes)] = 0
            known = codes[pos] == pair
            keys.append(doc_of[:-1][ok][known] * (n_words + 1) + v + pos[known])
        uniq, counts = np.unique(np.concatenate(keys), return_counts=True)
        return uniq // (n_words + 1), uniq % (n_words + 1), counts

    def triplets(self, docs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of every non-zero feature; scoring uses them directly,
        without building a sparse matrix."""
        n_words, ev_vocab = self.n_word_features_, self.evidence_vocabulary_
        parsed = [_parts(d) for d in docs]
        n = len(parsed)
        rows, cols, counts = self._word_counts(parsed)
        vals = (1.0 + np.log(counts)) * self.idf_[cols]
        norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
        vals /= np.where(norms > 0, norms, 1.0)[rows]
        ev_rows, ev_cols = [], []
        for i, (_, ev) in enumerate(parsed):
            known_ev = {ev_vocab[e] for e in ev if e in ev_vocab}
            ev_rows.extend([i] * len(known_ev))
            ev_cols.extend(known_ev)
        return (np.concatenate([rows, np.asarray(ev_rows, dtype=np.int64)]),
                np.concatenate([cols, np.asarray(ev_cols, dtype=np.int64) + n_words]),
                np.concatenate([vals, np.full(len(ev_cols), float(self.evidence_weight))]))

    # -- explaining ------------------------------------------------------------------------
    def feature_name(self, index: int) -> tuple[str, str]:
        """``(kind, name)`` of one column: ``("word", "تعاون امني")`` or ``("evidence", "g:partner")``."""
        if not hasattr(self, "_names"):
            self._names = list(self.vocabulary_)             # insertion order = id order
            self._ev_names = list(self.evidence_vocabulary_)
        v = len(self.vocabulary_)
        if index < v:
            return "word", self._names[index]
        if index < self.n_word_features_:
            code = int(self.bigram_codes_[index - v])
            return "word", f"{self._names[code // v]} {self._names[code % v]}"
        return "evidence", self._ev_names[index - self.n_word_features_]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_names", None)
        state.pop("_ev_names", None)
        return state
