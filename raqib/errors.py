"""Domain exceptions, in one place so the CLI can show any of them as one line.

Every message names the file (and line or field where known) and says how to fix it,
because the people reading them are analysts editing config files, not developers.
"""

from __future__ import annotations


class RaqibError(Exception):
    """Base class: the CLI prints ``str(exc)`` and exits 1, without a traceback."""


class ConfigError(RaqibError):
    """A settings or sources file is unreadable or invalid."""

    def __init__(self, path: str, message: str, *, source: str | None = None,
                 field: str | None = None, line: int | None = None):
        self.path = str(path)
        self.source = source
        self.field = field
        self.line = line
        self.message = message
        where = self.path
        if line is not None:
            where += f":{line}"
        parts = [where]
        if source:
            parts.append(f"source {source!r}")
        if field:
            parts.append(f"field {field!r}")
        super().__init__(": ".join(parts) + f": {message}")


class WatchlistError(RaqibError):
    """A watchlist file is invalid; carries every problem found, not just the first."""

    def __init__(self, path: str, problems: list[tuple[int | None, str, str]]):
        # problems: (line, field, message)
        self.path = str(path)
        self.problems = problems
        lines = []
        for line, field, message in problems:
            where = f"{self.path}:{line}" if line else self.path
            lines.append(f"{where}: {field}: {message}" if field else f"{where}: {message}")
        super().__init__("\n".join(lines))


class StorageError(RaqibError):
    """The database cannot be opened or migrated."""


class NotFound(RaqibError):
    """An article, source or watchlist asked for by name or id does not exist."""


class InputError(RaqibError):
    """An input handed to ``raqib check`` cannot be read as an article."""


class QueryError(RaqibError):
    """A search query cannot be read (unbalanced quote, nothing searchable, too long)."""


class DaemonRunning(RaqibError):
    """Another daemon already holds the database's lock; the message names its pid."""
