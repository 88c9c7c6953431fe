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


_COLUMN, _FIELD, _PHONE = 0, 1, 2


class RecordReader:
    """Reads file records into pipeline rows with the parsers of the mapped columns chosen
    once, not per cell: an import reads millions of cells (one loop over plain tuples, no
    call per cell but the parser's own). An empty cell changes nothing; a bad cell fails
    the row with the column's reason; a row whose cell count differs from the header's
    fails whole, since its values may be shifted."""

    def __init__(self, mapping: list[str], definitions: Mapping[str, CustomField]):
        self.width = len(mapping)
        self.readers = [
            (position, *_reader(target, definitions))
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
        for position, kind, target, parse, definition, validate in self.readers:
            text = cells[position].strip()
            if not text:
                continue
            try:
                if kind == _COLUMN:
                    values[target] = parse(text)
                elif kind == _FIELD:
                    value = parse(text, definition)
                    # Cells are stripped and not empty: only a parse can make them empty.
                    if value is not None and value != [] and value != "":
                        if validate is not None:
                            validate(value, definition)
                        values.setdefault("fields", {})[definition.name] = value
                else:
                    phones = values.setdefault("phones", [])
                    phone = parse(text)
                    if phone not in phones:
                        phones.append(phone)
            except registry.Invalid as error:
                _add_error(row.errors, target, str(error))
        row.values = values


def _reader(target: str, definitions: Mapping[str, CustomField]) -> tuple:
    """(kind, target, parser, field definition, validator) of a mapped column. Parsers
    raise Invalid."""
    if target.startswith(FIELD_PREFIX):
        definition = definitions[target.removeprefix(FIELD_PREFIX)]
        spec = registry.FIELD_TYPES[FieldType(definition.type)]
        validate = None if spec.validate is registry.no_check else spec.validate
        return _FIELD, target, spec.parse_text, definition, validate
    if target == "phone":
        return _PHONE, target, normalize_phone, None, None
    return _COLUMN, target, TARGETS[target].parse, None, None


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
