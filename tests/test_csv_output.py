"""The CSV helper every export writes through: formula injection is defused, reversibly."""

import csv
import io

import pytest

from config.csv_output import csv_lines, guard_formula, unguard_formula


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'=1+1", "''=1+1"),  # an apostrophe already there is kept, so reading back is exact
        ("ann@example.com", "ann@example.com"),
        ("-5", "-5"),  # numbers are not formulas: negative values and phones stay as they are
        ("+447700900123", "+447700900123"),
        ("-1.5e3", "-1.5e3"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_get_an_apostrophe_and_read_back(value, written):
    assert guard_formula(value) == written
    assert unguard_formula(written) == value


def test_csv_lines_guard_text_cells_only():
    # when
    lines = list(csv_lines(["name", "count"], [["=1+1", -3], [None, 2]]))
    # then
    rows = list(csv.reader(io.StringIO("".join(lines))))
    assert rows == [["name", "count"], ["'=1+1", "-3"], ["", "2"]]
