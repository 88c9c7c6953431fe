"""CSV output shared by every export: lines safe to open in a spreadsheet, and where the export
commands write them.

Formula injection: a spreadsheet runs a cell that starts with = + - @ (or a tab or carriage
return before one) as a formula, so a contact like `=HYPERLINK(...)` could act on the machine
of whoever opens an export. `guard_formula` puts an apostrophe in front of such text (the
spreadsheet shows the text, not a formula); `unguard_formula` removes it again, so importers
read an export back unchanged. Plain numbers (-5, 1.5e3, +447700900123) are left alone: a
spreadsheet reads them as numbers, never as formulas, and negative values and E.164 phones
must survive a round trip.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def _starts_formula(text: str) -> bool:
    # Apostrophes already in front are looked through, so guarding stays reversible.
    rest = text.lstrip("'")
    return rest.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(rest)


def guard_formula(value: str) -> str:
    """`value` with a leading apostrophe when a spreadsheet would take it for a formula."""
    return "'" + value if _starts_formula(value) else value


def unguard_formula(value: str) -> str:
    """The text `guard_formula` was given: what importers apply to each cell they read."""
    return value[1:] if value.startswith("'") and _starts_formula(value[1:]) else value


class _Line:
    """csv.writer target that hands back each written line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The header, then one CSV line per row as the rows come (memory stays flat); text
    cells pass through `guard_formula`. None is written as an empty cell."""
    writer = csv.writer(_Line())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([guard_formula(v) if isinstance(v, str) else v for v in row])


def write_lines(lines: Iterable[str], *, output: str, stdout: TextIO) -> int:
    """Write each line (already ending in a newline) to `output` ("-" for `stdout`) as it
    comes, so memory stays flat; return how many lines were written, header included."""
    target = (
        nullcontext(stdout) if output == "-" else open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115
    )
    written = 0
    with target as stream:
        for line in lines:
            stream.write(line)
            written += 1
    return written
