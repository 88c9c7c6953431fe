"""Demo data of the profile page's Interactions block for `make run`: a static segment, a
trigger mailing with sends, a scenario with participants and a few relations, all written
through the services. `profiles.demo.load_demo` calls `load_interactions_demo`."""

import random

from profiles.models import Profile, ProfileDatabase
from subscriptions.models import Resource

from .models import StepKind
from .services import relations, scenarios, segments, triggers


def load_interactions_demo(
    *, database: ProfileDatabase, resource: Resource, rng: random.Random
) -> None:
    profiles = list(Profile.objects.filter(database=database).order_by("id"))
    vip = segments.create_segment(database=database, name="VIP buyers",
                                  description="Bought three times or more.")  # fmt: skip
    members = rng.sample(profiles, min(40, len(profiles)))
    segments.add_to_segment(segment=vip, profile_ids=[profile.pk for profile in members])
    welcome = triggers.create_trigger(
        name="Welcome", resource=resource, channel="email", subject="Welcome, {{ first_name }}",
        body="Hello {{ first_name }}, thank you for joining our shop.", is_marketing=False,
    )  # fmt: skip
    for profile in rng.sample(profiles, min(20, len(profiles))):
        triggers.send_trigger(trigger=welcome, profile=profile)
    onboarding = scenarios.save_scenario(
        name="Onboarding", steps=[
            {"kind": StepKind.SEND_TRIGGER, "trigger": welcome},
            {"kind": StepKind.WAIT, "wait_seconds": 3 * 24 * 3600},
            {"kind": StepKind.ADD_TO_SEGMENT, "segment": vip},
            {"kind": StepKind.FINISH, "result": "onboarded"},
        ],
    )  # fmt: skip
    for profile in rng.sample(profiles, min(15, len(profiles))):
        scenarios.engage(scenario=onboarding, profile=profile)
    for source, target in zip(profiles[:10], profiles[10:20], strict=False):
        relations.add_relation(type="referrer", from_profile=source, to_profile=target)
