import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_rate_limits(settings):
    """Each test counts its requests afresh, in the cache or in CI's Redis alike."""
    settings.RATELIMIT_PREFIX = f"test-{uuid.uuid4().hex}"
