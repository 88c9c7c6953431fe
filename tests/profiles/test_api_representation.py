"""The profile representation of API.md, written out in `ProfileSerializer.to_representation`
for speed (issue 10), stays what DRF's field-by-field walk of the same serializer gives: same
keys in the same order, same values, for a profile with every value set (`full_profile` of
tests/profiles/conftest.py) and one with none."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from profiles.api.serializers import ProfileSerializer
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def field_by_field(profile, context) -> dict:
    serializer = ProfileSerializer(context=context)
    return serializers.ModelSerializer.to_representation(serializer, profile)


@pytest.mark.parametrize("with_request", [True, False])
def test_every_value_set(full_profile, with_request):
    context = {"request": APIRequestFactory().get("/")} if with_request else {}
    fast = ProfileSerializer(full_profile, context=context).data
    slow = field_by_field(full_profile, context)
    assert list(fast) == list(slow)
    assert fast == slow
    assert fast["avatar"].endswith(".png") and fast["registration"]["date"].endswith("Z")


def test_no_value_set(shop):
    profile = ProfileFactory(database=shop, email=None, phones=["+442079460002"])
    profile.refresh_from_db()
    fast = ProfileSerializer(profile).data
    assert list(fast) == list(field_by_field(profile, {}))
    assert fast == field_by_field(profile, {})
    assert fast["avatar"] is None and fast["birthday"] is None
