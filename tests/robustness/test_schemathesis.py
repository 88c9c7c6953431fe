"""A1/P-robustness: schemathesis fuzzes every operation of `/api/schema/` against the app in
this process (WSGI) with a real database and a superuser's token: no input may cause a server
error, and every answer must match the schema (status code, content type, body, headers).

Bounded in time: SCHEMATHESIS_MAX_EXAMPLES examples per operation, 3 in the everyday suite;
`.ci/run` runs this module again on PostgreSQL with 15 (under three minutes on two cores).
Raise it locally to dig deeper."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks

from config.wsgi import application
from tests.profiles.factories import ProfileFactory

# What the API promises (API.md): no 500, only documented answers, and without credentials
# a 401. Not checked: that every schema-violating request is refused (a bad `limit` falls back
# to the default page size, as DRF's paginators do) or every valid-looking one accepted (ids
# that name nothing are refused by the services).
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.ignored_auth,
]
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "3"))


# Loaded at collection: serving the schema reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _one_connection_per_test():
    """Requests reach Django through WSGI here, whose request signals close the database
    connection that holds the test's transaction; Django's test client unhooks them the same
    way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(admin_user, shop) -> str:
    # Something to find: ids 1 (database, fields, profile) are the likeliest guesses.
    ProfileFactory(database=shop, email="ann@example.com", fields={"tariff": "pro"})
    return Token.objects.create(user=admin_user).key


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_within_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
