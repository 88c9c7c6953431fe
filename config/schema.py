"""The API's error answers in the OpenAPI schema (API.md "Conventions").

drf-spectacular documents what each view returns on success; the errors every endpoint can
give come from the shared edges (authentication, model permissions, the exception handler,
lookups), so this postprocessing hook documents them once, for every operation: 400 with
DRF's `{"field": ["message"]}` shape, 401/403/404/405/406/413/415/429 with `{"detail": ...}`,
and 409 where a delete can be refused. An operation that can answer CSV renders its errors
as CSV too when CSV was asked for (config/renderers.py). Clients and the fuzzer
(tests/robustness) read them.
"""

from typing import Any

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# A field name (or "fields", "non_field_errors", an item index) to messages, nested.
FIELD_ERRORS = {"type": "object", "additionalProperties": True}
ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("Invalid input: each field with its messages.", FIELD_ERRORS),
    "401": ("No credentials, or invalid ones.", DETAIL),
    "403": ("Authenticated without the needed permission.", DETAIL),
    "404": ("Nothing of that id here.", DETAIL),
    "405": ("Method not allowed.", DETAIL),
    "406": ("No representation in the format asked for.", DETAIL),
    "413": ("The request body is over DATA_UPLOAD_MAX_MEMORY_SIZE.", DETAIL),
    "415": ("The request body's media type is not accepted.", DETAIL),
}
DELETE_ERRORS = {"409": ("Still in use: delete what depends on it first.", DETAIL)}


def add_error_responses(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorDetail"], schemas["FieldErrors"] = DETAIL, FIELD_ERRORS
    references = {
        id(DETAIL): "#/components/schemas/ErrorDetail",
        id(FIELD_ERRORS): "#/components/schemas/FieldErrors",
    }
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            errors = {**ERRORS, **(DELETE_ERRORS if method == "delete" else {})}
            responses = operation.setdefault("responses", {})
            as_csv = any("text/csv" in answer.get("content", {}) for answer in responses.values())
            for code, (description, schema) in errors.items():
                content = {"application/json": {"schema": {"$ref": references[id(schema)]}}}
                if as_csv:
                    content["text/csv"] = {"schema": {"type": "string"}}
                responses.setdefault(code, {"description": description, "content": content})
    return result
