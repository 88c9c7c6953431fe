import ipaddress
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from profiles import geoip


class Command(BaseCommand):
    help = "Show the GeoIP database in use (GEOIP_DB_PATH) and where the given IP addresses are."

    def add_arguments(self, parser):
        parser.add_argument("ips", nargs="+", metavar="IP", help="IPv4 or IPv6 addresses.")

    def handle(self, *args, ips: list[str], **options):
        invalid = [ip for ip in ips if not _is_ip_address(ip)]
        if invalid:
            raise CommandError(f"Not IP addresses: {', '.join(invalid)}.")
        try:
            info = geoip.database_info()
        except geoip.DatabaseUnavailable as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Database: {info.path}")
        self.stdout.write(f"Type: {info.type}, built {info.built_at:%Y-%m-%d %H:%M:%S} UTC")
        found = 0
        for ip in ips:
            location = geoip.locate(ip)
            found += location is not None
            self.stdout.write(f"{ip}: {_describe(location)}")
        self.stdout.write(f"Located {found} of {len(ips)} addresses.")


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _describe(location: geoip.Location | None) -> str:
    if location is None:
        return "not found"
    return " ".join(f"{key}={value}" for key, value in asdict(location).items())
