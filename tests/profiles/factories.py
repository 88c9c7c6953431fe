import factory
from django.contrib.auth import get_user_model

from profiles import services
from profiles.models import CustomField, Profile, ProfileDatabase


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class ProfileDatabaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfileDatabase

    name = factory.Sequence(lambda n: f"Database {n}")
    description = ""


class CustomFieldFactory(factory.django.DjangoModelFactory):
    """Goes through `create_field`, so unique fields get their database index."""

    class Meta:
        model = CustomField

    database = factory.SubFactory(ProfileDatabaseFactory)
    name = factory.Sequence(lambda n: f"field_{n}")
    title = factory.LazyAttribute(lambda field: field.name.replace("_", " ").capitalize())
    type = "line"

    @classmethod
    def _create(cls, model_class, *args, database, **kwargs):
        return services.create_field(database=database, **kwargs)


class ProfileFactory(factory.django.DjangoModelFactory):
    """Goes through `create_profile`, so identifiers and placeholders are real."""

    class Meta:
        model = Profile

    database = factory.SubFactory(ProfileDatabaseFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @classmethod
    def _create(cls, model_class, *args, database, **values):
        return services.create_profile(database=database, values=values)
