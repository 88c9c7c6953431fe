"""Fresh PostgreSQL databases next to the bench's own, for benchmarks that need an empty,
migrated database of their own (bench.imports, bench.scale and its empty-database imports)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection


def fresh_database(suffix: str) -> str:
    """The URL of a new database `<this one's name>_<suffix>` on the same server, migrated.
    Refuses one that exists: a benchmark must not write into data it did not make."""
    name = f"{connection.settings_dict['NAME']}_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone():
            raise SystemExit(f"Database {name} exists: drop it first.")
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        check=True, env={**os.environ, "DATABASE_URL": url}, cwd=settings.BASE_DIR,
    )  # fmt: skip
    return url


@contextmanager
def throwaway_database(suffix: str) -> Iterator[str]:
    """A fresh database for the length of the block, dropped after it."""
    url = fresh_database(suffix)
    try:
        yield url
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path[1:]}" WITH (FORCE)')
