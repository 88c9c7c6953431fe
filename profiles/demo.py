"""The demo data `make run` loads once (OPERATIONS.md). Later apps extend it with resources,
history, segments and orders; everything goes through the services."""

import random
from datetime import UTC, date, datetime, timedelta

import phonenumbers
from django.db import transaction
from django.utils import timezone

from history import services as history
from interactions.demo import load_interactions_demo
from subscriptions import services as subscriptions
from weblayers.demo import load_data_demo

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
# Addresses the shipped MaxMind test database knows, with their countries (data/geoip/README.md);
# registration and tracked city and country are looked up from them (G2).
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
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.0.0 Mobile Safari/537.36",
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
    website = subscriptions.create_resource(
        name="Website", channels=["email", "sms"], categories=["news", "sales"],
        auto_priority=True,
    )  # fmt: skip
    app = subscriptions.create_resource(name="Mobile app", channels=["push"])
    drafts, tracked_ips = [], {}
    for number in range(profiles):
        profile = services.create_profile(
            database=shop, values=_profile_values(rng, number), detect_geo=True
        )
        tracked_ips[profile.pk] = profile.registration_ip
        _subscribe(rng, profile, website, app)
        drafts += _history(rng, profile, website)
    history.record_many(drafts)
    services.track_locations(tracked_ips)
    load_data_demo(database=shop, resource=website, rng=rng)
    load_interactions_demo(database=shop, resource=website, rng=rng)
    return shop


def _subscribe(rng: random.Random, profile, website, app) -> None:
    subscriptions.add_subscription(
        profile=profile, resource=website, channel="email", contact=profile.email,
        categories={"news": True, "sales": rng.random() < 0.5},
        status=rng.choices(["subscribed", "unsubscribed"], weights=[9, 1])[0],
    )  # fmt: skip
    if profile.phones and rng.random() < 0.4:
        subscriptions.add_subscription(
            profile=profile, resource=website, channel="sms", contact=profile.phones[0]
        )
    if rng.random() < 0.3:
        subscriptions.add_subscription(
            profile=profile, resource=app, channel="push", contact=f"push-token-{profile.pk}",
            user_agent=rng.choice(USER_AGENTS),
        )  # fmt: skip


def _history(rng: random.Random, profile, website) -> list:
    """A few weeks of mailing actions: sends, most delivered, some opened and clicked."""
    drafts = []
    now = timezone.now()
    for _ in range(rng.randint(0, 6)):
        sent = now - timedelta(days=rng.uniform(0, 30))
        steps = ["send", "delivery", "open", "click"][: rng.randint(1, 4)]
        for offset, step in enumerate(steps):
            drafts.append(history.EventDraft(
                type=step, ts=sent + timedelta(minutes=offset * 7), profile_id=profile.pk,
                database_id=profile.database_id, channel="email", resource_id=website.pk,
                data=_click_data(profile) if step == "click" else {},
            ))  # fmt: skip
    return drafts


def _click_data(profile) -> dict:
    # The browser of the click, for the profile page's latest activity (P11); chosen without
    # the generator so the rest of the demo stays as it was.
    return {
        "url": "https://shop.example.com/sale",
        "user_agent": USER_AGENTS[profile.pk % len(USER_AGENTS)],
    }


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
