"""Where the export commands write their CSV lines: a file, or the command's stdout."""

from collections.abc import Iterable
from contextlib import nullcontext
from typing import TextIO


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
