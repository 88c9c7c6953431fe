import factory

from tests.profiles.factories import ProfileDatabaseFactory
from weblayers.models import Form, Pixel

SIGNUP_INPUTS = [
    {"name": "email", "label": "Email", "target": "email", "required": True},
    {"name": "name", "label": "First name", "target": "first_name"},
    {"name": "plan", "label": "Tariff", "target": "fields.tariff"},
]


class FormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Form

    name = factory.Sequence(lambda n: f"Signup {n}")
    slug = factory.Sequence(lambda n: f"signup-{n}")
    database = factory.SubFactory(ProfileDatabaseFactory)
    inputs = factory.LazyFunction(lambda: [dict(item) for item in SIGNUP_INPUTS])


class PixelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pixel

    name = factory.Sequence(lambda n: f"Pixel {n}")
    pixel_id = factory.Sequence(lambda n: f"pixel-{n:06d}")
    database = factory.SubFactory(ProfileDatabaseFactory)
    goal = "view"
