"""Run the progress service as the hub starts it: ``python -m classroom.progress``.

JupyterHub passes the service's address (``JUPYTERHUB_SERVICE_URL``), its prefix and
its API token in the environment; ``jupyterhub_config.py`` adds the database URL
(``PROGRESS_DB_URL``), the cookie-secret file (``PROGRESS_COOKIE_SECRET_FILE``) and
the arguments below.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import signal
import sys
from pathlib import Path
from urllib.parse import urlparse

from tornado.httpserver import HTTPServer

from classroom.progress import catalog
from classroom.progress.app import Service, make_app
from classroom.progress.store import Store

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def cookie_secret(path: Path) -> bytes:
    """The secret in ``path`` (made once, readable by its owner only)."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m classroom.progress", description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, required=True, help="the lessons (NN_name.ipynb) to read the catalog from")
    parser.add_argument("--learners", default="", help="comma-separated names shown even before they report")
    parser.add_argument("--stuck-minutes", type=float, default=10.0, help="no pass in this long (and 3 fails): stuck")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGTERM or SIGINT."""
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    if url.hostname not in LOOPBACK:
        raise SystemExit(f"the progress service binds loopback only, not {url.hostname}")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/progress/")
    service = Service(catalog.load(args.notebooks), Store(os.environ["PROGRESS_DB_URL"]),
                      [n for n in args.learners.split(",") if n], args.stuck_minutes)
    app = make_app(service, prefix, cookie_secret(Path(os.environ["PROGRESS_COOKIE_SECRET_FILE"])))
    server = HTTPServer(app, xheaders=True, max_body_size=64 * 1024)
    server.listen(url.port, address=url.hostname)
    logging.info("progress service on %s%s (%d exercises)", url.geturl().rstrip("/"), prefix,
                 len(service.catalog.exercises))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    server.stop()
    service.store.close()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    logging.basicConfig(level=logging.INFO, format="[progress %(asctime)s %(levelname)s] %(message)s")
    asyncio.run(serve(parse(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
