"""Turning file records and API items into pipeline rows: parse, validate with the field
registries, collect every problem of a row at once (X1, X2)."""

from collections.abc import Mapping
from typing import Any

from profiles import fields as registry
from profiles.contacts import normalize_email, normalize_phone, normalize_phones
from profiles.models import CustomField, FieldType

from .columns import FIELD_PREFIX, TARGETS
from .pipeline import Row
from .reading import Record

EMPTY_LINE = "Empty line."


class RecordReader:
    """Reads file records into pipeline rows with the parsers of the mapped columns chosen
    once, not per cell: an import reads millions of cells. An empty cell changes nothing; a
    bad cell fails the row with the column's reason; a row whose cell count differs from
    the header's fails whole, since its values may be shifted."""

    def __init__(self, mapping: list[str], definitions: Mapping[str, CustomField]):
        self.width = len(mapping)
        self.readers = [
            (position, target, _parser(target, definitions))
            for position, target in enumerate(mapping)
            if target
        ]

    def __call__(self, record: Record) -> Row:
        row = Row(record.number)
        cells = record.cells
        if record.problem:
            row.errors = {"row": [record.problem]}
        elif not any(cell.strip() for cell in cells):
            row.skip_reason = EMPTY_LINE
        elif len(cells) != self.width and not self._only_empty_extra(cells):
            row.errors = {"row": [f"This row has {len(cells)} cells; the header has {self.width}."]}
        else:
            self._read(row, cells)
        return row

    def _only_empty_extra(self, cells: list[str]) -> bool:
        return len(cells) > self.width and not any(cell.strip() for cell in cells[self.width :])

    def _read(self, row: Row, cells: list[str]) -> None:
        values: dict[str, Any] = {}
        for position, target, parse in self.readers:
            text = cells[position].strip()
            if not text:
                continue
            try:
                parse(text, values)
            except registry.Invalid as error:
                _add_error(row.errors, target, str(error))
        row.values = values


def _parser(target: str, definitions: Mapping[str, CustomField]):
    """A function(text, values) that stores the parsed cell in `values`; raises Invalid."""
    if target.startswith(FIELD_PREFIX):
        name = target.removeprefix(FIELD_PREFIX)
        definition = definitions[name]
        spec = registry.FIELD_TYPES[FieldType(definition.type)]

        def read_field(text: str, values: dict) -> None:
            value = spec.parse_text(text, definition)
            if not registry.is_empty(value):
                spec.validate(value, definition)
                values.setdefault("fields", {})[name] = value

        return read_field
    if target == "phone":

        def read_phone(text: str, values: dict) -> None:
            phones = values.setdefault("phones", [])
            phone = normalize_phone(text)
            if phone not in phones:
                phones.append(phone)

        return read_phone
    parse = TARGETS[target].parse

    def read_column(text: str, values: dict) -> None:
        values[target] = parse(text)

    return read_column


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
