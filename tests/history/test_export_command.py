"""H5 by command: `manage.py export_history`."""

import csv
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.history.factories import EventFactory
from tests.profiles.factories import ProfileFactory


def test_export_a_database_period_to_a_file(shop, tmp_path):
    # given
    ann = ProfileFactory(database=shop)
    EventFactory(profile=ann, type="click", ts=timezone.now() - timedelta(days=40))
    EventFactory(profile=ann, type="open", ts=timezone.now() - timedelta(days=10))
    EventFactory(profile=ProfileFactory(), type="open")
    since = (timezone.now() - timedelta(days=50)).date().isoformat()
    until = (timezone.now() - timedelta(days=5)).date().isoformat()
    # when
    call_command(
        "export_history",
        "--database",
        shop.id,
        "--since",
        since,
        "--until",
        until,
        "--output",
        tmp_path / "h.csv",
    )
    # then
    with open(tmp_path / "h.csv", encoding="utf-8") as exported:
        rows = list(csv.DictReader(exported))
    assert [row["type"] for row in rows] == ["click", "open"]


def test_export_one_profile_filtered_by_type_to_stdout(shop, capsys):
    ann = ProfileFactory(database=shop)
    EventFactory(profile=ann, type="click")
    EventFactory(profile=ann, type="open")
    call_command("export_history", "--profile", ann.id, "--types", "click")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("id,ts,type") and ",click," in lines[1]


@pytest.mark.parametrize(
    "arguments",
    [["--database", "1", "--since", "soon"], ["--profile", "1", "--types", "teleport"], []],
)
def test_bad_arguments_are_refused(db, arguments):
    with pytest.raises(CommandError):
        call_command("export_history", *arguments)
