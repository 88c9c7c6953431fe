"""Factories and helpers of the robustness tests: writers released together in threads, each
on its own database connection."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection
from rest_framework.test import APIClient

from tests.profiles.factories import CustomFieldFactory, ProfileDatabaseFactory, UserFactory


def at_once(work: Callable[[int], Any], threads: int) -> list[Any]:
    """Run `work(0)` ... `work(threads - 1)` in threads released together by a barrier; each
    result is the return value or the exception raised. Every thread closes its connection."""
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * threads

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # the test inspects what escaped
            results[index] = error
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def database_with_fields(names: list[str]):
    """A database with one number field per name: each writer owns one field, so a lost
    update shows as a missing key."""
    database = ProfileDatabaseFactory()
    for name in names:
        CustomFieldFactory(database=database, name=name, type="number")
    return database


def superuser_client() -> APIClient:
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_authenticate(user)
    return client
