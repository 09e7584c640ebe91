"""The sources table mirrors the config, so the store (and Datasette) knows each outlet."""

from __future__ import annotations

import json

import sqlite_utils

from config.sources import Source
from storage.tx import now_iso, transaction


def upsert_sources(db: sqlite_utils.Database, sources: list[Source]) -> None:
    now = now_iso()
    with transaction(db):
        for s in sources:
            db.execute("INSERT INTO sources (name, homepage, language, country, enabled, config, updated_at)"
                       " VALUES (?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET homepage=excluded.homepage,"
                       " language=excluded.language, country=excluded.country, enabled=excluded.enabled,"
                       " config=excluded.config, updated_at=excluded.updated_at",
                       [s.name, s.homepage, s.language, s.country, int(s.enabled),
                        json.dumps(s.as_dict(), ensure_ascii=False), now])
