"""Near-duplicate signatures: the same story syndicated by several outlets.

MinHash over word 3-shingles (datasketch) survives the small edits outlets make to
wire copy; the LSH index finds candidates without comparing against every article.
"""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
THRESHOLD = 0.5
SCHEME = "affine32"  # pinned: stored signatures must stay comparable across upgrades
_WORD = re.compile(r"\w+")
# The permutation parameters depend only on (NUM_PERM, seed, SCHEME): drawing them once
# instead of per MinHash (datasketch's RandomState on every construction) took about a
# quarter of the dedupe step's time.  Shared read-only; datasketch never mutates them.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


def signature(text: str) -> MinHash:
    words = _WORD.findall(text)
    m = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_PERMUTATIONS)
    shingles = {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m


def to_bytes(m: MinHash) -> bytes:
    return np.asarray(m.hashvalues, dtype=np.uint64).tobytes()


def from_bytes(blob: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, hashvalues=np.frombuffer(blob, dtype=np.uint64).copy(),
                   scheme=SCHEME, permutations=_PERMUTATIONS)


class StoryIndex:
    """In-memory LSH over recent articles, keyed by article id."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self._story: dict[int, int] = {}
        self._sigs: dict[int, MinHash] = {}

    def add(self, article_id: int, story_id: int | None, sig: MinHash) -> None:
        if article_id in self._sigs:
            return
        self._lsh.insert(str(article_id), sig)
        self._sigs[article_id] = sig
        self._story[article_id] = story_id or article_id

    def find(self, sig: MinHash, exclude: int | None = None) -> tuple[int, float] | None:
        """(story id, similarity) of the closest known copy, if any."""
        best = None
        for key in self._lsh.query(sig):
            aid = int(key)
            if aid == exclude:
                continue
            sim = self._sigs[aid].jaccard(sig)
            if sim >= THRESHOLD and (best is None or sim > best[1]):
                best = (self._story[aid], sim)
        return best
