import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from profiles import demo

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Load the demo data once and make sure a local admin exists; prints its login."

    def add_arguments(self, parser):
        parser.add_argument("--profiles", type=int, default=300, help="Profiles to create.")

    def handle(self, *args, profiles: int, **options):
        if demo.is_loaded():
            self.stdout.write("Demo data already loaded.")
        else:
            shop = demo.load_demo(profiles=profiles)
            self.stdout.write(f"Loaded demo: database {shop.name!r} with {profiles} profiles.")
        password = self._admin_password()
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin login: {ADMIN_USERNAME} / {password}  at http://127.0.0.1:8000/admin/"
            )
        )

    def _admin_password(self) -> str:
        """Create the admin with a random password on first run; keep it in var/ (gitignored)
        so later runs print the same login."""
        stored = settings.BASE_DIR / "var" / "admin-password"
        users = get_user_model().objects
        if users.filter(username=ADMIN_USERNAME).exists() and stored.exists():
            return stored.read_text().strip()
        password = secrets.token_urlsafe(12)
        admin, _ = users.get_or_create(
            username=ADMIN_USERNAME, defaults={"email": "admin@localhost"}
        )
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        stored.parent.mkdir(exist_ok=True)
        stored.write_text(password + "\n")
        stored.chmod(0o600)
        return password
