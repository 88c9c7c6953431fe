"""The demo data `make run` loads once (OPERATIONS.md). Later apps extend it with resources,
history, segments and orders; everything goes through the services."""

import random
from datetime import UTC, date, datetime, timedelta

import phonenumbers
from django.db import transaction

from . import services
from .models import FieldType, ProfileDatabase, Status

DEMO_DATABASE = "Demo shop"
FIRST_NAMES = [
    "Ann",
    "Boris",
    "Chloe",
    "Dmitri",
    "Emma",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jon",
    "Kira",
    "Liam",
    "Maria",
    "Nils",
    "Olga",
    "Pedro",
    "Qing",
    "Rosa",
    "Sven",
    "Tara",
]
LAST_NAMES = [
    "Lee",
    "Ivanova",
    "Smith",
    "Berg",
    "Garcia",
    "Tanaka",
    "Novak",
    "Brown",
    "Rossi",
    "Khan",
    "Dubois",
    "Larsen",
    "Silva",
    "Wong",
    "Murphy",
]
# Addresses the shipped MaxMind test database knows, with their countries (data/geoip/README.md).
KNOWN_IPS = [
    ("81.2.69.142", "GB"),
    ("2.125.160.216", "GB"),
    ("216.160.83.56", "US"),
    ("89.160.20.112", "SE"),
    ("175.16.199.1", "CN"),
    ("67.43.156.1", "BT"),
    ("202.196.224.1", "PH"),
]
FIELDS = [
    {
        "name": "tariff",
        "title": "Tariff",
        "type": FieldType.ENUM,
        "options": ["basic", "pro", "team"],
    },
    {"name": "age", "title": "Age", "type": FieldType.NUMBER},
    {"name": "interests", "title": "Interests", "type": FieldType.TAGS},
    {"name": "vip", "title": "VIP", "type": FieldType.BOOLEAN, "default": False},
    {"name": "last_order", "title": "Last order", "type": FieldType.DATE},
    {"name": "score", "title": "Loyalty score", "type": FieldType.FLOAT},
    {"name": "device_ip", "title": "Device IP", "type": FieldType.IP},
    {"name": "customer_code", "title": "Customer code", "type": FieldType.LINE, "unique": True},
]
INTERESTS = ["shoes", "bags", "sale", "kids", "sport", "outdoor", "books"]
STATUS_WEIGHTS = {
    Status.SUBSCRIBED: 80,
    Status.UNSUBSCRIBED: 8,
    Status.UNCONFIRMED: 5,
    Status.HARD_BOUNCED: 3,
    Status.COMPLAINER: 2,
    Status.SUSPENDED: 1,
    Status.INVALID: 1,
}


def is_loaded() -> bool:
    return ProfileDatabase.objects.filter(name=DEMO_DATABASE).exists()


@transaction.atomic
def load_demo(*, profiles: int = 300, seed: int = 42) -> ProfileDatabase:
    """Create the demo databases, their custom fields and `profiles` profiles."""
    rng = random.Random(seed)
    shop = services.create_database(name=DEMO_DATABASE, description="Customers of the demo shop.")
    services.create_database(name="Newsletter", description="Readers of the demo newsletter.")
    for attributes in FIELDS:
        services.create_field(database=shop, **attributes)
    for number in range(profiles):
        services.create_profile(database=shop, values=_profile_values(rng, number))
    return shop


def _profile_values(rng: random.Random, number: int) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    ip, country = rng.choice(KNOWN_IPS)
    phone = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    registered = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(900_000))
    return {
        "email": f"{first}.{last}.{number}@example.com".lower(),
        "phones": [phonenumbers.format_number(phone, 0)] if phone else [],
        "first_name": first,
        "last_name": last,
        "gender": rng.choice(["female", "male", ""]),
        "birthday": date(1960, 1, 1) + timedelta(days=rng.randrange(16_000)),
        "status": rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
        "is_test": number < 3,
        "registration_date": registered,
        "registration_ip": ip,
        "registration_provider": rng.choice(["website", "mobile app", "store"]),
        "tracked_ip": ip,
        "utm_source": rng.choice(["", "google", "newsletter", "instagram"]),
        "fields": {
            "tariff": rng.choice(["basic", "pro", "team"]),
            "age": rng.randint(18, 80),
            "interests": rng.sample(INTERESTS, rng.randint(0, 3)),
            "vip": rng.random() < 0.1,
            "last_order": (registered + timedelta(days=rng.randrange(300))).date().isoformat(),
            "score": round(rng.uniform(0, 1000), 2),
            "device_ip": ip,
            "customer_code": f"C{100000 + number}",
        },
    }
