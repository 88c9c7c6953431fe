"""G1: where an IP address is, read from the MaxMind DB file at `settings.GEOIP_DB_PATH`
(GeoLite2-City or GeoIP2-City).

Each process opens the file lazily, on its first lookup, memory-mapped, and looks at the
file's identity (device, inode, size, modification time) at most once per `CHECK_INTERVAL`
seconds; when it changed, the next lookup opens the new file, so a monthly update needs no
restart. Replace the file atomically (write a new file, then rename it over the old one, as
`geoipupdate` does): a file rewritten in place may be read half-written. A replaced reader is
dropped, not closed, so a lookup still running in another thread finishes on it.
"""

import functools
import ipaddress
import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from time import monotonic
from typing import Any

import maxminddb
from django.conf import settings

logger = logging.getLogger(__name__)

CHECK_INTERVAL = 1.0  # seconds between looks at the file's identity
CACHE_SIZE = 65_536  # lookups kept per opened file; an import repeats the same few IPs


@dataclass(frozen=True)
class Location:
    country: str = ""  # ISO 3166 alpha-2, upper case
    region: str = ""  # most specific subdivision, English name
    city: str = ""  # English name
    postcode: str = ""
    timezone: str = ""  # IANA name
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class DatabaseInfo:
    path: str
    type: str  # the file's database_type, e.g. "GeoLite2-City"
    built_at: datetime
    description: str


class DatabaseUnavailable(Exception):
    """No usable database: the file is missing, unreadable or not a MaxMind DB."""


def locate(ip: str) -> Location | None:
    """Where `ip` (IPv4 or IPv6 text) is. None for text that is not an IP address, for
    addresses that are not public (private, loopback, reserved...), for addresses the database
    does not know or knows nothing about that Location holds, and when there is no usable
    database file (logged once as a warning). Never raises for bad input."""
    database = _database()
    if database.reader is None or not isinstance(ip, str):
        return None
    return database.locate(ip)


def is_available() -> bool:
    """Whether a database file is open, so that `locate` returning None means "unknown
    address" rather than "no database"."""
    return _database().reader is not None


def database_info() -> DatabaseInfo:
    """Path, type and build time of the database `locate` reads; raises DatabaseUnavailable
    with the reason when there is none."""
    database = _database()
    if database.reader is None:
        raise DatabaseUnavailable(database.problem)
    metadata = database.reader.metadata()
    return DatabaseInfo(
        path=database.path,
        type=metadata.database_type,
        built_at=datetime.fromtimestamp(metadata.build_epoch, tz=UTC),
        description=metadata.description.get("en", ""),
    )


class _Database:
    """One opened file, or the reason it could not be opened, with its lookups' cache."""

    def __init__(self, path: str, identity: tuple | None):
        self.path, self.identity = path, identity
        self.checked_at = monotonic()
        self.reader, self.problem = _open(path, identity)
        self.locate = functools.lru_cache(maxsize=CACHE_SIZE)(self._locate)

    def _locate(self, ip: str) -> Location | None:
        try:
            address = ipaddress.ip_address(ip.strip())
        except ValueError:
            return None
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global:
            return None
        try:
            record = self.reader.get(address)
        except (ValueError, maxminddb.InvalidDatabaseError):
            return None  # an IPv6 address in an IPv4-only file; a damaged record
        return _location(record)


_current: _Database | None = None
_lock = threading.Lock()


def _database() -> _Database:
    """The database of the configured path, looking at the file at most once a second."""
    database, path = _current, str(settings.GEOIP_DB_PATH)
    if (
        database is not None
        and database.path == path
        and monotonic() < database.checked_at + CHECK_INTERVAL
    ):
        return database
    with _lock:
        return _refresh(path)


def _refresh(path: str) -> _Database:
    global _current
    identity = _identity(path)
    if _current is not None and _current.path == path and _current.identity == identity:
        _current.checked_at = monotonic()
    else:
        _current = _Database(path, identity)
    return _current


def _identity(path: str) -> tuple | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _open(path: str, identity: tuple | None) -> tuple[Any, str]:
    """(reader, "") or (None, the reason), the reason logged as a warning. Called once per
    change of the file, so the warning is not repeated on every lookup."""
    if identity is None:
        problem = f"No GeoIP database file at {path} (GEOIP_DB_PATH)."
    else:
        try:
            return maxminddb.open_database(path), ""
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as error:
            problem = f"Cannot read the GeoIP database {path} (GEOIP_DB_PATH): {error}"
    logger.warning("%s IP addresses will not be located.", problem)
    return None, problem


def _location(record: Any) -> Location | None:
    if not isinstance(record, dict):
        return None
    position = record.get("location") or {}
    subdivisions = record.get("subdivisions") or [{}]
    found = Location(
        country=str((record.get("country") or {}).get("iso_code", "")).upper(),
        region=_english_name(subdivisions[-1]),
        city=_english_name(record.get("city")),
        postcode=str((record.get("postal") or {}).get("code", "")),
        timezone=str(position.get("time_zone", "")),
        latitude=position.get("latitude"),
        longitude=position.get("longitude"),
    )
    return None if found == Location() else found


def _english_name(entity: dict | None) -> str:
    return str(((entity or {}).get("names") or {}).get("en", ""))
