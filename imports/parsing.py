"""A file import's rows, read and checked ahead of the writes: in a thread, or for a large
file in a process of its own (X1 at 20,000 profiles/s).

Reading and checking a row (the CSV, emails, phones, dates, custom fields) is a third of a
created profile's cost, and all of it Python: in a thread it shares the interpreter lock
with the threads that prepare and write the chunks, so Python's share of the two cores
could not pass one. A forked child process does it on the other core beside PostgreSQL and
sends each chunk back as plain tuples. The child inherits the parent's settings and field
definitions as they are, and only reads the file: it opens no database connection and
leaves the parent's alone (it ends with os._exit, as multiprocessing's children do, so no
inherited connection is closed from it).
"""

import multiprocessing
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .pipeline import Row
from .reading import Layout, read_ahead, records
from .rows import RecordReader

# Below this size a file is read in a thread: starting a process costs more than it saves.
PROCESS_FROM_BYTES = 4 * 1024**2
DEPTH = 2  # chunks read ahead
_ITEM, _DONE, _ERROR = "item", "done", "error"


@contextmanager
def file_chunks(
    *, path: str | None, open_file, layout: Layout, start_after: int, reader: RecordReader,
    size: int,
) -> Iterator[Iterator[tuple[list[Row], int]]]:  # fmt: skip
    """The data rows after record `start_after` as (chunk of `size` rows, bytes read up to
    its end), read ahead of the caller. `path` is the file's local path (None when the
    storage has none), `open_file` opens it as a binary stream."""
    if path is not None and _can_fork() and Path(path).stat().st_size >= PROCESS_FROM_BYTES:
        with _in_process(path, layout, start_after, reader, size) as chunks:
            yield chunks
        return
    with open_file() as stream:
        rows = (reader(record) for record in records(stream, layout, start_after=start_after))
        chunks = read_ahead(((chunk, stream.tell()) for chunk in _sized(rows, size)), depth=DEPTH)
        try:
            yield chunks
        finally:
            chunks.close()


def _can_fork() -> bool:
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _sized(rows, size: int) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def _in_process(path, layout, start_after, reader, size) -> Iterator:
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=DEPTH)
    child = context.Process(
        target=_produce, args=(path, layout, start_after, reader, size, queue),
        name="import-read", daemon=True,
    )  # fmt: skip
    child.start()
    try:
        yield _received(queue, child)
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        queue.close()
        queue.cancel_join_thread()


def _received(queue, child) -> Iterator[tuple[list[Row], int]]:
    while True:
        kind, value = queue.get()
        if kind == _DONE:
            return
        if kind == _ERROR:
            raise value
        lines, bytes_read = value
        yield (
            [Row(number, values, errors, [], skip) for number, values, errors, skip in lines],
            (bytes_read),
        )


def _produce(path, layout, start_after, reader, size, queue) -> None:
    """The child: each chunk as (row tuples, bytes read), then done; or the error."""
    try:
        with open(path, "rb") as stream:
            rows = (reader(record) for record in records(stream, layout, start_after=start_after))
            for chunk in _sized(rows, size):
                lines = [(row.number, row.values, row.errors, row.skip_reason) for row in chunk]
                queue.put((_ITEM, (lines, stream.tell())))
        queue.put((_DONE, None))
    except BaseException as error:  # noqa: BLE001 (handed over to the parent)
        try:
            queue.put((_ERROR, error))
        except Exception:  # noqa: BLE001 (an error that does not pickle)
            queue.put((_ERROR, RuntimeError(f"{type(error).__name__}: {error}")))
    finally:
        queue.close()
        queue.join_thread()  # everything sent before the child exits
