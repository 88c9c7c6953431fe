"""Playwright for Python driving Debian's chromium, headless, against pytest-django's
live_server. Every page the test opened must end without a console error or page error."""

import os
from collections.abc import Iterator

import pytest

from tests.conftest import CHROMIUM, grant

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
# (factories, assertions) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, settings):
    settings.ROOT_URLCONF = "tests.browser.urls"
    context = chromium.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], f"browser console errors: {problems}"


@pytest.fixture
def staff(desk_marketer):
    """The desk marketer, who may also delete profiles, with a password to type."""
    grant(desk_marketer, "delete_profile")
    return desk_marketer


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/databases/")
