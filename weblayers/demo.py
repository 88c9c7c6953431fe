"""Demo data of the profile's Data and Loyalty blocks for `make run`: promo codes and loyalty
(`loyalty.demo`), orders (`market.demo`), and here a signup form with submissions and a pixel
with hits, all written through the services. `profiles.demo.load_demo` calls `load_data_demo`."""

import random

from loyalty import demo as loyalty_demo
from market import demo as market_demo
from profiles.models import Profile, ProfileDatabase
from subscriptions.models import Resource

from . import services, tracking
from .models import Pixel

PAGES = [
    "https://shop.example.com/",
    "https://shop.example.com/sale",
    "https://shop.example.com/cart",
]
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def load_data_demo(*, database: ProfileDatabase, resource: Resource, rng: random.Random) -> None:
    profiles = list(Profile.objects.filter(database=database).order_by("id"))
    loyalty_demo.load(profiles=profiles, rng=rng)
    market_demo.load(profiles=profiles, rng=rng)
    form = services.save_form(
        name="Newsletter signup", slug="newsletter", database=database, resource=resource,
        channel="email", update_utm=True, allowed_origins=["https://shop.example.com"],
        inputs=[
            {"name": "email", "label": "Email", "target": "email", "required": True},
            {"name": "name", "label": "First name", "target": "first_name"},
            {"name": "plan", "label": "Tariff", "target": "fields.tariff"},
        ],
    )  # fmt: skip
    for profile in rng.sample(profiles, len(profiles) // 10):
        data = {"email": profile.email, "name": profile.first_name, "plan": "pro",
                "utm_source": "instagram", "utm_campaign": "spring"}  # fmt: skip
        services.submit_form(form=form, data=data, url=PAGES[0], user_agent=BROWSER)
    pixel = Pixel.objects.create(name="Shop pages", pixel_id="demo-shop-pixel", database=database)
    for profile in rng.sample(profiles, len(profiles) // 4):
        for _ in range(rng.randint(1, 3)):
            goal = rng.choice(["view", "view", "add_to_cart", "purchase"])
            tracking.record_hit(tracking.Hit(
                pixel=pixel.pk, goal=goal, value="49.90" if goal == "purchase" else None,
                url=rng.choice(PAGES), ip=profile.registration_ip or "", user_agent=BROWSER,
                pixel_data={"page_type": goal, "items": rng.randint(0, 4)}, profile=profile.pk,
            ))  # fmt: skip
