"""`make bench` fills tables with raw SQL; this runs its audience part small, so a schema
change that breaks the fill fails CI instead of the next benchmark run."""

import pytest

from bench import audience

pytestmark = pytest.mark.postgres


def test_the_audience_benchmark_fills_and_resolves_every_profile(transactional_db, monkeypatch):
    # transactional: the benchmark runs VACUUM, which cannot run inside a transaction
    monkeypatch.setattr(audience, "PROFILES", 2_000)
    monkeypatch.setattr(audience, "REPEATS", 1)
    (figure,), details = audience.run()
    assert sum(details["counts"].values()) == 2_000
    assert details["counts"]["target"] > 1_000
    assert figure.passed and figure.baseline > 0
