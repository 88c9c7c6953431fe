import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_rate_limits(settings, monkeypatch):
    """Each test counts its requests afresh, in the cache or in CI's Redis alike, inside one
    window of the clock (a test running across a minute boundary would see two windows)."""
    settings.RATELIMIT_PREFIX = f"test-{uuid.uuid4().hex}"
    monkeypatch.setattr("config.ratelimit._now", lambda: 1_800_000_000.0)
