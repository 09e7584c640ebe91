"""Generated fixture stories: a site of any size from the written content's paragraphs.

The benchmarks need thousands of articles where ``content/`` has a few dozen.  Each
generated story takes 4–8 paragraphs drawn (seeded, without repeats inside a story)
from every paragraph of the written stories, a title made of two clauses of other
paragraphs, one of the written categories (so the outlets' sections and listings fill
up as they do with the real content), an author and a date spread over the last
months.  The text is real Arabic news prose, so extraction, normalisation and the
watchlists do the work they do on real pages; the stories mean nothing together.

    from fixturesite.generate import generate_stories
    with FixtureSite(stories=generate_stories(2000)) as site: ...
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from fixturesite.content import FIRST_ID, OUTLETS, Block, Story, first_sentence, load_stories

# Dates count back from here, one story every ~40 minutes (2,000 stories ≈ 2 months).
NEWEST = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)


def generate_stories(n: int, seed: int = 2026, outlets: tuple[str, ...] = OUTLETS) -> list[Story]:
    """``n`` stories with ids from 101, spread round-robin over ``outlets``; deterministic
    for a given ``seed``."""
    written = load_stories()
    pool = [b.text for s in written for b in s.blocks if b.kind == "p" and len(b.text) >= 60]
    categories = sorted({s.category for s in written if s.category})
    authors = sorted({s.author for s in written if s.author})
    rng = random.Random(seed)
    stories = []
    for i in range(n):
        paragraphs = rng.sample(pool, rng.randint(4, 8))
        head = first_sentence(rng.choice(pool), max_words=9)
        tail = " ".join(first_sentence(rng.choice(pool)).split()[:5])
        published = NEWEST - timedelta(minutes=40 * i + rng.randint(0, 30))
        stories.append(Story(
            id=FIRST_ID + i, outlet=outlets[i % len(outlets)], title=f"{head}، {tail}",
            blocks=[Block("p", p) for p in paragraphs], published=published,
            author=rng.choice(authors), label="", category=rng.choice(categories),
        ))
    return stories
