"""Reading import files as a stream of records (X1): encoding, dialect sniffing, the header.

A file of any size is read record by record: memory stays flat for a 2 GB file. Bytes that
are not valid in the chosen encoding do not stop the import: the record that holds them is
reported as failed, and the report suggests choosing the file's encoding.
"""

import codecs
import csv
import io
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from queue import Full, Queue
from typing import BinaryIO, NamedTuple, TypeVar

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
MAX_COLUMNS = 500
MAX_HEADER_LENGTH = 200
AUTO = "auto"
# Offered on the upload page; any codec Python knows is accepted by the command.
ENCODINGS = ["utf-8", "utf-16", "cp1251", "cp1252", "iso-8859-1", "koi8-r"]
_UNDECODABLE = re.compile("[\udc80-\udcff]")
T = TypeVar("T")
_ITEM, _DONE, _ERROR = object(), object(), object()


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says why, for a person."""


class Record(NamedTuple):
    """One record of the file. `number` counts records with the header as 1 (a quoted cell
    may span lines, so it is not always the line number). `problem` is set when the record
    could not be read. A named tuple: twice as quick to make as a frozen dataclass."""

    number: int
    cells: list[str]
    problem: str = ""


@dataclass(frozen=True)
class Layout:
    encoding: str
    delimiter: str
    headers: list[str]
    sample: list[list[str]] = field(default_factory=list)


def detect_encoding(head: bytes, wanted: str = AUTO) -> str:
    """The codec to read the file with: the one asked for, or for "auto" the BOM's, else
    UTF-8 when the sample decodes as UTF-8. Raises FileProblem otherwise."""
    if wanted != AUTO:
        try:
            return codecs.lookup(wanted).name
        except LookupError:
            raise FileProblem(f"Unknown encoding {wanted!r}.") from None
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise FileProblem("This is not a text file (it holds NUL bytes); upload a CSV file.")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as error:
        raise FileProblem(
            f"This file is not UTF-8 (byte {error.start + 1} is {head[error.start]:#04x}); "
            "choose its encoding, e.g. cp1251 or iso-8859-1."
        ) from None
    return "utf-8"


def _text(stream: BinaryIO, encoding: str) -> io.TextIOWrapper:
    # surrogateescape keeps a bad byte in the record that holds it (reported there) instead
    # of failing the whole read; newline="" is what the csv module needs for quoted newlines.
    if encoding == "utf-8":
        encoding = "utf-8-sig"  # a BOM is not part of the first header cell
    return io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")


def _dialect(sample: str, delimiter: str) -> type[csv.Dialect] | csv.Dialect:
    if delimiter:
        return _with_delimiter(delimiter)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        return _with_delimiter(",")


def _with_delimiter(delimiter: str) -> type[csv.Dialect]:
    return type("Chosen", (csv.excel,), {"delimiter": delimiter})


def read_layout(stream: BinaryIO, *, encoding: str = AUTO, delimiter: str = "") -> Layout:
    """Encoding, delimiter, header and the first rows of a file, for the preview and for the
    import itself. Raises FileProblem when the file cannot be a CSV file with a header."""
    stream.seek(0)
    head = stream.read(SAMPLE_BYTES)
    chosen = detect_encoding(head, encoding)
    stream.seek(0)
    text = _text(stream, chosen)
    try:
        sample = text.read(SAMPLE_BYTES)
        # A sample cut inside a quoted cell confuses the sniffer less than a cut line does.
        dialect = _dialect(sample.rsplit("\n", 1)[0] if "\n" in sample else sample, delimiter)
        rows = list(_take(csv.reader(io.StringIO(sample, newline=""), dialect), 11))
    except (csv.Error, UnicodeError) as error:
        raise FileProblem(f"This file cannot be read as CSV: {error}.") from None
    finally:
        text.detach()
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise FileProblem("The file is empty or its first line, the header, is blank.")
    headers = [cell.strip() for cell in rows[0]]
    _check_headers(headers)
    return Layout(chosen, dialect.delimiter, headers, rows[1:])


def _take(reader, count: int) -> Iterator[list[str]]:
    for index, row in enumerate(reader):
        if index == count:
            return
        yield row


def _check_headers(headers: list[str]) -> None:
    if len(headers) > MAX_COLUMNS:
        raise FileProblem(f"The header has {len(headers)} columns; the limit is {MAX_COLUMNS}.")
    if _UNDECODABLE.search("".join(headers)):
        raise FileProblem("The header holds bytes invalid in this encoding; choose another.")
    long = [header for header in headers if len(header) > MAX_HEADER_LENGTH]
    if long:
        raise FileProblem(
            f"A header cell is {len(long[0])} characters long: is the first line a header?"
        )


def records(stream: BinaryIO, layout: Layout, *, start_after: int = 1) -> Iterator[Record]:
    """The data records after record `start_after` (1 = the header), read lazily."""
    stream.seek(0)
    text = _text(stream, layout.encoding)
    try:
        yield from _records(
            csv.reader(text, _with_delimiter(layout.delimiter)), layout, start_after
        )
    finally:
        if not stream.closed:
            text.detach()  # the caller owns the stream


def _records(reader, layout: Layout, start_after: int) -> Iterator[Record]:
    bad_bytes = (
        f"This row holds bytes that are not valid {layout.encoding}: choose the file's encoding."
    )
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if number > start_after:
                yield Record(number, [], f"This line cannot be read as CSV: {error}.")
            continue
        if number <= start_after:
            continue
        if _UNDECODABLE.search("".join(cells)):
            yield Record(number, [], bad_bytes)
            continue
        yield Record(number, cells)


def read_ahead(items: Iterator[T], *, depth: int) -> Iterator[T]:
    """Yield `items` as a thread produces them, up to `depth` ahead. Parsing the next chunk
    of a file then runs while the caller waits for the database to write the last one (the
    wait releases the GIL). An error of the producer is raised here; stopping early stops
    the producer."""
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def put(message: tuple) -> bool:
        while not stop.is_set():
            try:
                queue.put(message, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((_ITEM, item)):
                    return
            put((_DONE, None))
        except BaseException as error:  # noqa: BLE001 (handed over to the consumer)
            put((_ERROR, error))

    thread = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = queue.get()
            if kind is _DONE:
                return
            if kind is _ERROR:
                raise value
            yield value
    finally:
        stop.set()
        thread.join()
