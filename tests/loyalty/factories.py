import factory
from django.utils import timezone

from loyalty.models import Member, Program, PromoCode, PromoPool, Promotion, Tier
from tests.profiles.factories import ProfileFactory


class PromoPoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromoPool

    name = factory.Sequence(lambda n: f"Pool {n}")


class PromoCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromoCode

    pool = factory.SubFactory(PromoPoolFactory)
    code = factory.Sequence(lambda n: f"CODE{n:05d}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Tier {n}")
    threshold = factory.Sequence(lambda n: n * 100)


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Promotion {n}")
    multiplier = 2
    starts_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=1))


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    program = factory.SubFactory(ProgramFactory)
    profile = factory.SubFactory(ProfileFactory)
