"""Preparing the next chunk of a file import while the last one is written (X1 at 20,000
profiles/s on two cores).

A chunk's time was half its database writes (the profile rows and their indexes) and half
Python work that must come first: matching, checks, ids, the new rows themselves. Here a
thread prepares chunk N+1 (`pipeline.prepare`, on a database connection of its own) while
the caller's transaction writes chunk N, so the server writes while Python prepares.

Chunk N is not committed while N+1 is prepared, so N+1 is matched against N's plan as well
as the database. That plan holds only if N is written as prepared; when N was retried row
by row (a concurrent writer took one of its unique values), N+1 is prepared again, in the
caller's transaction, after N has committed. Rows meeting a profile, in the database or in
N, are decided in the transaction under the profile's lock either way (`pipeline.write`).

Only on PostgreSQL and outside a caller's transaction: the preparing connection has to
see what earlier chunks committed.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from queue import Queue

from django.db import connection, connections

from . import pipeline
from .pipeline import InFlight, Plan, Prepared, Row

_PREPARE, _STOP, _ITEM, _DONE, _ERROR = object(), object(), object(), object(), object()


@dataclass
class Chunk:
    """One chunk to write, prepared ahead or not; `write` applies it in the caller's
    transaction and returns how the job's counts change."""

    plan: Plan
    rows: list[Row]
    bytes_read: int
    prepared: Prepared | None = None
    clean: bool = False  # written exactly as prepared

    @property
    def last_row(self) -> int:
        return self.rows[-1].number

    def write(self):
        if self.prepared is None:
            return pipeline.apply(self.plan, self.rows)
        counts, self.clean = pipeline.apply_prepared(self.plan, self.prepared)
        return counts


def can_overlap() -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block


@contextmanager
def chunks_to_write(plan: Plan, chunks: Iterator[tuple[list[Row], int]]) -> Iterator:
    """The chunks of (rows, bytes read) as `Chunk`s to write in order, each prepared while
    the one before is written when `can_overlap()`. Write each before taking the next."""
    if not can_overlap():
        yield (Chunk(plan, rows, bytes_read) for rows, bytes_read in chunks)
        return
    preparer = _Preparer(plan, chunks)
    try:
        yield _overlapped(plan, preparer)
    finally:
        preparer.close()


def _overlapped(plan: Plan, preparer: "_Preparer") -> Iterator[Chunk]:
    preparer.request(None)
    last_clean = None  # the serial of the preparation written last, if written as prepared
    while (item := preparer.result()) is not None:
        prepared, bytes_read = item
        if prepared.based_on != last_clean:
            # Prepared against a plan that was not written as such: again, in the caller's
            # transaction, once the chunk before has committed.
            yield Chunk(plan, prepared.fresh_rows(), bytes_read)
            last_clean = None
            preparer.request(None)
            continue
        # The next one is prepared while this one is written.
        preparer.request(InFlight(prepared.serial, prepared.written_keys()))
        chunk = Chunk(plan, list(prepared.rows), bytes_read, prepared)
        yield chunk
        last_clean = prepared.serial if chunk.clean else None


class _Preparer:
    """A thread that prepares one chunk at a time, when asked, on its own connection."""

    def __init__(self, plan: Plan, chunks: Iterator[tuple[list[Row], int]]):
        self._plan, self._chunks = plan, chunks
        self._requests: Queue = Queue(maxsize=1)
        self._results: Queue = Queue(maxsize=1)
        self._thread = threading.Thread(target=self._work, name="import-prepare", daemon=True)
        self._thread.start()

    def request(self, in_flight: InFlight | None) -> None:
        self._requests.put((_PREPARE, in_flight))

    def result(self) -> tuple[Prepared, int] | None:
        """The prepared chunk asked for, or None after the last; raises what the thread
        raised."""
        kind, value = self._results.get()
        if kind is _ERROR:
            raise value
        return None if kind is _DONE else value

    def close(self) -> None:
        self._requests.put((_STOP, None))
        self._thread.join()

    def _work(self) -> None:
        serial = 0
        try:
            with connection.cursor() as cursor:  # this thread's own connection
                cursor.execute("SET jit = off")  # see writing.plan_for_bulk_work
            while True:
                kind, in_flight = self._requests.get()
                if kind is _STOP:
                    return
                item = next(self._chunks, None)
                if item is None:
                    self._results.put((_DONE, None))
                    return
                rows, bytes_read = item
                serial += 1
                prepared = pipeline.prepare(self._plan, rows, in_flight, serial)
                self._results.put((_ITEM, (prepared, bytes_read)))
        except BaseException as error:  # noqa: BLE001 (handed over to the caller)
            self._results.put((_ERROR, error))
        finally:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()  # stops the reading thread behind it
            connections.close_all()
