"""Fixtures shared by the profile tests."""

from datetime import UTC, date, datetime

import pytest
from django.core.files.base import ContentFile

from tests.profiles.factories import ProfileFactory


@pytest.fixture
def full_profile(shop):
    profile = ProfileFactory(
        database=shop,
        phones=["+442079460000", "+442079460001"],
        middle_name="Q",
        birthday=date(1990, 2, 28),
        gender="female",
        status="unsubscribed",
        is_test=True,
        registration_date=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        registration_ip="203.0.113.9",
        registration_city="London",
        registration_country="GB",
        registration_link="https://shop.example.com/join",
        registration_provider="form",
        tracked_ip="2001:db8::1",
        tracked_city="Paris",
        tracked_country="FR",
        tracked_region="IDF",
        tracked_postcode="75001",
        tracked_timezone="Europe/Paris",
        tracked_latitude=48.8566,
        tracked_longitude=2.3522,
        utm_source="newsletter",
        utm_medium="email",
        utm_campaign="autumn",
        utm_term="shoes",
        utm_content="<b>hero</b>",
        fields={"tariff": "pro", "age": 41, "interests": ["books", "music"]},
    )
    profile.avatar.save("face.png", ContentFile(b"\x89PNG not decoded here"), save=True)
    return profile
