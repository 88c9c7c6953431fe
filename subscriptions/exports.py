"""S7: suppression lists as CSV, out (streamed) and in (every row accounted for).

The API (`/api/v1/suppressions/export/` and `import/`), the admin and the
`export_suppressions` / `import_suppressions` commands all use these functions.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, QuerySet

from audit.models import Action
from audit.services import record_action
from config import csv_output
from config.exceptions import InvalidInput

from . import services
from .models import Channel, Suppression

COLUMNS = ("channel", "contact", "reason", "created_at")
# An export imports back as it is: created_at is read and ignored (the service sets it).
IMPORT_COLUMNS = frozenset(COLUMNS)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
CHUNK = 5000


def csv_lines(suppressions: QuerySet[Suppression]) -> Iterator[str]:
    """The header, then one CSV line per suppression, oldest first, read in chunks so any
    list streams in constant memory. Journaled when asked for (A3): contacts are personal."""
    record_action(action=Action.EXPORT, target_type=Suppression._meta.label_lower)
    rows = suppressions.order_by("id").values_list(*COLUMNS)
    return csv_output.csv_lines(
        COLUMNS,
        (
            [channel, contact, reason, created_at.isoformat()]
            for channel, contact, reason, created_at in rows.iterator(chunk_size=CHUNK)
        ),
    )


@dataclass
class ImportReport:
    """What an import did: every data row is added, already suppressed, or an error."""

    added: int = 0
    already_suppressed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "already_suppressed": self.already_suppressed,
            "failed": self.failed,
            "errors": self.errors,
        }


def read_upload(upload: UploadedFile | None) -> str:
    """The text of an uploaded CSV file; InvalidInput on `file` when it is missing, over
    10 MB or not UTF-8 (a byte-order mark, as Excel writes, is allowed)."""
    if upload is None:
        raise InvalidInput({"file": ["Attach the CSV file as `file`."]})
    if upload.size > MAX_UPLOAD_BYTES:
        size = upload.size / 1024 / 1024
        raise InvalidInput({"file": [f"The file has {size:.1f} MB; the limit is 10 MB."]})
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = f"The file is not UTF-8 text (byte {error.start + 1}); save it as CSV UTF-8."
        raise InvalidInput({"file": [message]}) from None


@transaction.atomic
def import_suppressions(text: str) -> ImportReport:
    """Suppress every contact of CSV `text` through `services.suppress`.

    The header names the columns: `contact` is required, `channel` defaults to email when
    the column is absent, `reason` to "imported" when absent or blank; `created_at` (as in an
    export) is ignored. A refused row is reported with its line number (the header is line 1)
    and the API's error shape, and never stops the others. A header that cannot be read
    raises InvalidInput on `file`, before anything is written.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    rows = _RowImport(_columns(next(reader, [])))
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return rows.report
        except csv.Error as error:  # a NUL byte, an over-long field: that line is lost
            rows.fail(reader.line_num, "", {"non_field_errors": [str(error)]})
            continue
        if any(value.strip() for value in values):  # skips blank lines and fillers like ",,"
            rows.add(reader.line_num, values)


def _columns(header: list[str]) -> list[str]:
    columns = [name.strip().lower() for name in header]
    unknown = [name for name in columns if name not in IMPORT_COLUMNS]
    if "contact" not in columns or unknown or len(set(columns)) != len(columns):
        message = (
            "The first line must name the columns: contact, and optionally channel and reason "
            "(each once), e.g. `channel,contact,reason`."
        )
        raise InvalidInput({"file": [message]})
    return columns


class _RowImport:
    """Suppresses rows one by one and counts each in the report."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.report = ImportReport()
        # suppress() hands back the stored row whether or not it was there: a row this import
        # created has a larger id than any before it, and is counted once.
        self.known_up_to = Suppression.objects.aggregate(last=Max("id"))["last"] or 0
        self.added_ids: set[int] = set()

    def add(self, line: int, values: list[str]) -> None:
        if len(values) > len(self.columns):
            message = f"{len(values)} values for {len(self.columns)} columns."
            self.fail(line, "", {"non_field_errors": [message]})
            return
        cells = [csv_output.unguard_formula(value.strip()) for value in values]
        record = dict(zip(self.columns, cells, strict=False))
        try:
            suppression = services.suppress(**_suppress_arguments(record))
        except InvalidInput as error:
            self.fail(line, record.get("contact", ""), error.errors)
            return
        if suppression.pk > self.known_up_to and suppression.pk not in self.added_ids:
            self.added_ids.add(suppression.pk)
            self.report.added += 1
        else:
            self.report.already_suppressed += 1

    def fail(self, line: int, contact: str, errors: dict) -> None:
        self.report.errors.append({"row": line, "contact": contact, "errors": errors})


def _suppress_arguments(record: dict[str, str]) -> dict[str, str]:
    """The row's values as suppress() takes them; InvalidInput for a channel or reason that
    is not one of ours (suppress() checks only the contact)."""
    channel = record.get("channel", Channel.EMAIL).lower()
    reason = record.get("reason", "").lower() or Suppression.Reason.IMPORTED
    errors = {}
    if channel not in Channel.values:
        channels = ", ".join(Channel.values)
        errors["channel"] = [f"{channel!r} is not a channel; use one of: {channels}."]
    if reason not in Suppression.Reason.values:
        reasons = ", ".join(Suppression.Reason.values)
        errors["reason"] = [f"{reason!r} is not a reason; use one of: {reasons}."]
    if not record.get("contact"):
        errors["contact"] = ["Give the contact."]
    if errors:
        raise InvalidInput(errors)
    return {"channel": channel, "contact": record["contact"], "reason": reason}
