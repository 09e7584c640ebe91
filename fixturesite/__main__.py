"""Serve the fixture news sites until Ctrl-C: ``python -m fixturesite [--port-base N]``.

Prints each outlet's URL and writes a raqib sources config pointing at them, so
``raqib crawl --config <that file>`` crawls the fixture sites by hand.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import tempfile
import threading
from pathlib import Path

from fixturesite.server import FixtureSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fixturesite", description=__doc__.splitlines()[0])
    parser.add_argument("--port-base", type=int, default=None,
                        help="serve the outlets on ports N, N+1, N+2, N+3 (default: free ports)")
    parser.add_argument("--sources", type=Path, default=None,
                        help="where to write the sources TOML (default: a temporary file)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(message)s")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with FixtureSite(port_base=args.port_base) as site:
        path = args.sources or Path(tempfile.gettempdir()) / "fixturesite-sources.toml"
        path.write_text(site.sources_toml(), encoding="utf-8")
        for name in site.outlets:
            print(f"{name:<8} {site.base_url(name)}/")
        print(f"sources  {path}")
        print("Ctrl-C to stop.", flush=True)
        try:
            done.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
