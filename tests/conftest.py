"""Test settings and personas.

- `marketer`: staff with every profiles permission but delete, the everyday user;
- `exporter`: the marketer, also trusted with exports of personal data (A2);
- `admin_user` (pytest-django): a superuser;
- `desk_marketer`: the marketer at the profile page every day, also seeing history and
  managing subscriptions and exporting personal data (issue 6);
- `viewer_without_permission`: logged in, holds no permission at all;
- `shop`: the "Shop" database with a tariff enum, an age number and a tags field.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import caches
from rest_framework.test import APIClient

from config import celery_app
from roles import auth_cache
from tests.profiles.factories import CustomFieldFactory, ProfileDatabaseFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"  # Debian's, driven by Playwright in tests/browser/


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process even when CELERY_BROKER_URL is set (CI); tests marked
    `celery_worker` switch this off in their own fixture and use a real worker."""
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = was_eager


@pytest.fixture
def celery_worker() -> Iterator[Callable[[], AbstractContextManager]]:
    """Tasks go to the broker, and `with celery_worker():` runs a real worker on it, in a thread
    of this process, so the test decides when queued tasks start to run."""
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()  # tasks left by earlier tests must not run against this one
    yield lambda: start_worker(celery_app, perform_ping_check=False, pool="solo")
    celery_app.conf.task_always_eager = was_eager


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Rolled-back tests reuse user ids (SQLite): no permission set cached by an earlier test.
    # A new generation, not cache.clear(): in CI the cache is the Redis of the Celery broker.
    auth_cache.forget_all()
    caches["local"].clear()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres`, `celery_worker`, `redis` or `browser` need the real services (or
    Debian's chromium). Without them they are
    skipped on a laptop; in CI (CI=true) their absence is an error, never a skip."""
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_broker = bool(settings.CELERY_BROKER_URL)
    has_redis = bool(settings.REDIS_URL)
    has_chromium = os.access(CHROMIUM, os.X_OK)
    in_ci = os.environ.get("CI") == "true"
    for item in items:
        missing = [
            what
            for marker, what, present in (
                ("postgres", "DATABASE_URL=postgres://...", on_postgres),
                ("celery_worker", "CELERY_BROKER_URL=redis://...", has_broker),
                ("redis", "REDIS_URL=redis://...", has_redis),
                ("browser", CHROMIUM, has_chromium),
            )
            if item.get_closest_marker(marker) and not present
        ]
        if missing and not in_ci:
            item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)}"))


def grant(user, *codenames: str):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def marketer(db):
    user = UserFactory(username="marketer", is_staff=True)
    return grant(
        user,
        *(
            f"{action}_{model}"
            for action in ("view", "add", "change")
            for model in ("profile", "profiledatabase", "customfield")
        ),
    )


@pytest.fixture
def exporter(marketer):
    return grant(marketer, "export_profile")


@pytest.fixture
def desk_marketer(exporter):
    return grant(
        exporter,
        "view_event",
        *(f"{action}_subscription" for action in ("view", "add", "change")),
    )


@pytest.fixture
def viewer_without_permission(db):
    return UserFactory(username="nobody")


@pytest.fixture
def api(marketer):
    client = APIClient()
    client.force_authenticate(marketer)
    return client


@pytest.fixture
def shop(db):
    database = ProfileDatabaseFactory(name="Shop")
    CustomFieldFactory(database=database, name="tariff", type="enum", options=["basic", "pro"])
    CustomFieldFactory(database=database, name="age", type="number")
    CustomFieldFactory(database=database, name="interests", type="tags")
    return database
