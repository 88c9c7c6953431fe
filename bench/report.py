"""The one table `make bench` prints and the JSON it writes (OPERATIONS.md "Benchmarks")."""

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
COLUMNS = ("figure", "value", "baseline", "ratio", "target", "result")


@dataclass(frozen=True)
class Figure:
    """One line of the table. `value` and `baseline` are what the ratio and the target
    judge (a rate, or a p95 in ms); `p50` pairs with a p95 for latencies."""

    name: str
    unit: str
    value: float
    baseline: float | None = None
    target: str = ""
    passed: bool | None = None
    p50: float | None = None
    baseline_p50: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    """(p50, p95) of the samples, in the samples' unit."""
    return statistics.median(samples), statistics.quantiles(samples, n=20, method="inclusive")[-1]


def print_table(figures: Sequence[Figure]) -> None:
    rows = [COLUMNS, *(_cells(figure) for figure in figures)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def _cells(figure: Figure) -> tuple[str, ...]:
    result = {True: "pass", False: "FAIL", None: ""}[figure.passed]
    ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else ""
    return (
        figure.name,
        _amount(figure.value, figure.p50, figure.unit),
        _amount(figure.baseline, figure.baseline_p50, figure.unit),
        ratio,
        figure.target,
        result,
    )


def _amount(value: float | None, p50: float | None, unit: str) -> str:
    if value is None:
        return ""
    if p50 is not None:
        return f"{p50:.2f} / {value:.2f} {unit}"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.2f} {unit}"


def write_results(figures: Sequence[Figure], details: dict[str, Any]) -> Path:
    """Write every figure with its ratio, plus the run's details, to `bench/results/latest.json`."""
    lines = [{**asdict(figure), "ratio": figure.ratio} for figure in figures]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({**details, "figures": lines}, indent=2, default=str) + "\n")
    return RESULTS


def emit(figures: Sequence[Figure], details: dict[str, Any]) -> None:
    """A child benchmark's answer to bench.history: its figures and details as JSON on the
    last line of its output (read back by bench.history.run_child)."""
    print(json.dumps({"figures": [asdict(f) for f in figures], "details": details}))


def markdown(figures: Sequence[dict]) -> str:
    """The table of `latest.json`'s figures in Markdown, for docs/performance.md."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for line in figures:
        figure = Figure(**{key: value for key, value in line.items() if key != "ratio"})
        cells = [cell.replace("|", "\\|") for cell in _cells(figure)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m bench.report: latest.json as a Markdown table
    print(markdown(json.loads(RESULTS.read_text())["figures"]))
