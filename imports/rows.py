"""Turning file records and API items into pipeline rows: parse, validate with the field
registries, collect every problem of a row at once (X1, X2)."""

from collections.abc import Mapping
from typing import Any

from profiles import fields as registry
from profiles.contacts import normalize_email, normalize_phones
from profiles.models import CustomField

from .columns import FIELD_PREFIX, TARGETS
from .pipeline import Row
from .reading import Record

EMPTY_LINE = "Empty line."


def row_from_record(
    record: Record, mapping: list[str], definitions: Mapping[str, CustomField]
) -> Row:
    """A file record as a pipeline row. An empty cell changes nothing; a bad cell fails the
    row with the column's reason; a row whose cell count differs from the header's fails
    whole, since its values may be shifted."""
    row = Row(record.number)
    if record.problem:
        row.errors = {"row": [record.problem]}
        return row
    cells = record.cells
    if not any(cell.strip() for cell in cells):
        row.skip_reason = EMPTY_LINE
        return row
    extra = cells[len(mapping) :]
    if len(cells) < len(mapping) or any(cell.strip() for cell in extra):
        row.errors = {"row": [f"This row has {len(cells)} cells; the header has {len(mapping)}."]}
        return row
    values: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for target, cell in zip(mapping, cells, strict=False):
        text = cell.strip()
        if not target or not text:
            continue
        try:
            _read_cell(target, text, values, definitions)
        except registry.Invalid as error:
            _add_error(errors, target, str(error))
    row.values, row.errors = values, errors
    return row


def _read_cell(target: str, text: str, values: dict, definitions: Mapping) -> None:
    if target.startswith(FIELD_PREFIX):
        name = target.removeprefix(FIELD_PREFIX)
        value = registry.clean_value(definitions[name], text, from_text=True)
        if value is not None:
            values.setdefault("fields", {})[name] = value
    elif target == "phone":
        phones = values.setdefault("phones", [])
        phone = TARGETS["phone"].parse(text)
        if phone not in phones:
            phones.append(phone)
    else:
        values[target] = TARGETS[target].parse(text)


def _add_error(errors: dict, target: str, reason: str) -> None:
    if target.startswith(FIELD_PREFIX):
        errors.setdefault("fields", {})[target.removeprefix(FIELD_PREFIX)] = [reason]
    elif target == "phone":
        errors.setdefault("phones", []).append(reason)
    else:
        errors[target] = [reason]


def row_from_item(
    index: int, columns: dict[str, Any], definitions: Mapping[str, CustomField]
) -> Row:
    """An API item, already type-checked by its serializer and given as Profile columns
    (`ProfileInput.to_columns`), as a pipeline row: contacts normalised, custom values
    cleaned. A key sent empty clears the value, as PATCH does."""
    row = Row(index, subscriptions=columns.pop("subscriptions", []))
    errors: dict[str, Any] = {}
    if columns.get("email"):
        try:
            columns["email"] = normalize_email(columns["email"])
        except registry.Invalid as error:
            errors["email"] = [str(error)]
    elif "email" in columns:
        del columns["email"]  # no email: the profile keeps or gets its placeholder
    if "phones" in columns:
        try:
            columns["phones"] = normalize_phones(columns["phones"])
        except registry.Invalid as error:
            errors["phones"] = [str(error)]
    if "fields" in columns:
        fields, field_errors = {}, {}
        for name, raw in columns["fields"].items():
            try:
                fields[name] = _clean_field(definitions, name, raw)
            except registry.Invalid as error:
                field_errors[name] = [str(error)]
        columns["fields"] = fields
        if field_errors:
            errors["fields"] = field_errors
    row.values, row.errors = columns, errors
    return row


def _clean_field(definitions: Mapping[str, CustomField], name: str, raw: Any) -> Any:
    definition = definitions.get(name)
    if definition is None:
        raise registry.Invalid("Unknown field: this database has no custom field with this name.")
    return registry.clean_value(definition, raw)
