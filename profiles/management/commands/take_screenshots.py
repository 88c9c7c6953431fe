"""Screenshots of the staff's main pages into docs/screenshots/ (issue 6 item 7): a throwaway
test database with the demo data, a live server on it, and Playwright driving Debian's
chromium. The configured database is never touched."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test.testcases import LiveServerThread

from history.models import Event, EventType
from profiles import demo
from profiles.models import Profile

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
USERNAME, PASSWORD = "screenshots", "screenshots-only-password"


class Command(BaseCommand):
    help = "Make PNG screenshots of the main staff pages into docs/screenshots/."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(settings.BASE_DIR / "docs" / "screenshots"))
        parser.add_argument("--profiles", type=int, default=80, help="Demo profiles to create.")

    def handle(self, *args, out: str, profiles: int, **options):
        from playwright.sync_api import sync_playwright

        if not Path(CHROMIUM).exists():
            raise CommandError(f"{CHROMIUM} is missing: apt-get install chromium")
        out_dir = Path(out)
        out_dir.mkdir(parents=True, exist_ok=True)
        if connection.vendor != "sqlite":  # never the test database a test run may hold
            connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_shots"
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        server = None
        try:
            demo.load_demo(profiles=profiles)
            get_user_model().objects.create_superuser(USERNAME, "shots@localhost", PASSWORD)
            profile = self._showcase_profile()
            server = self._start_server()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                shots = self._shoot(browser, f"http://localhost:{server.port}", out_dir, profile)
                browser.close()
        finally:
            if server is not None:
                server.terminate()
            connection.creation.destroy_test_db(old_name, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"{len(shots)} screenshots in {out_dir}"))

    def _start_server(self) -> LiveServerThread:
        default = connections["default"]
        default.inc_thread_sharing()  # an in-memory SQLite test database is one connection
        server = LiveServerThread("localhost", StaticFilesHandler, {"default": default})
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        return server

    def _showcase_profile(self) -> Profile:
        """A demo profile with a click (so every panel has something), read before Playwright
        starts its event loop in this thread."""
        clicked = Event.objects.filter(type=EventType.CLICK).order_by("id").first()
        return Profile.objects.get(pk=clicked.profile_id)

    def _shoot(self, browser, base: str, out_dir: Path, profile: Profile) -> list[Path]:
        page = browser.new_page(base_url=base, viewport={"width": 1280, "height": 860})
        shots = []

        def shot(name: str, full_page: bool = False) -> None:
            path = out_dir / f"{name}.png"
            page.screenshot(path=str(path), full_page=full_page)
            shots.append(path)
            self.stdout.write(f"  {path.name}")

        response = page.goto("/accounts/login/")
        if response.status != 200:
            raise CommandError(
                f"The login page answered {response.status}: {page.content()[:2000]}"
            )
        shot("login")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/databases/")
        shot("databases")
        page.get_by_role("link", name=demo.DEMO_DATABASE).click()
        shot("profile-list")
        page.goto(f"/profiles/{profile.pk}/?h-since=2025-01-01")
        shot("profile-page", full_page=True)
        page.get_by_role("tab", name="Tracked").click()
        shot("profile-tracked-tab")
        page.get_by_role("button", name="Tab settings").click()
        shot("tab-settings")
        page.goto(f"/search/?q={profile.last_name}")
        shot("quick-search")
        return shots
