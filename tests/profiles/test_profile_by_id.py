"""`selectors.profile_by_id` (config.compiled.PrimaryKeyRead): the same profile as the ORM's
`get`, every column converted alike (JSON, dates, booleans, on SQLite and PostgreSQL), in
one query, and None for an id nobody has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles import selectors
from profiles.models import Profile
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def test_reads_what_the_orm_reads(full_profile):
    with CaptureQueriesContext(connection) as queries:
        read = selectors.profile_by_id(full_profile.pk)
    orm = Profile.objects.get(pk=full_profile.pk)
    assert len(queries) == 1
    assert type(read) is Profile and not read._state.adding
    for field in Profile._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(orm, field.attname), field.name
    assert read.fields == {"tariff": "pro", "age": 41, "interests": ["books", "music"]}
    assert read.is_test is True and read.birthday.isoformat() == "1990-02-28"


def test_every_call_reads_its_own_row(shop):
    first, second = ProfileFactory(database=shop), ProfileFactory(database=shop)
    assert selectors.profile_by_id(first.pk).email == first.email
    assert selectors.profile_by_id(str(second.pk)).email == second.email
    assert selectors.profile_by_id(second.pk + 1000) is None
