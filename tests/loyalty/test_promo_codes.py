"""D1: promo code pools, assignment (never twice), attach/detach/activate events."""

import pytest
from django.core.exceptions import ValidationError

from history.models import Event
from loyalty import services
from loyalty.models import PromoCode
from tests.profiles.factories import ProfileFactory

from .factories import PromoCodeFactory, PromoPoolFactory

pytestmark = pytest.mark.django_db


def test_imported_codes_are_validated_and_deduplicated():
    pool = PromoPoolFactory()
    assert services.add_codes(pool=pool, codes=["SPRING-01", "SPRING-02", "SPRING-01", " "]) == 2
    assert services.add_codes(pool=pool, codes=["SPRING-02", "SPRING-03"]) == 1
    with pytest.raises(ValidationError) as error:
        services.add_codes(pool=pool, codes=["ok-code", "bad code!"])
    assert "bad code!" in str(error.value.message_dict["codes"])


def test_generated_codes_are_unique_and_prefixed():
    pool = PromoPoolFactory()
    assert services.generate_codes(pool=pool, count=50, prefix="GIFT-") == 50
    codes = list(pool.codes.values_list("code", flat=True))
    assert len(set(codes)) == 50 and all(code.startswith("GIFT-") for code in codes)


def test_assign_gives_the_oldest_free_code_and_records_promo_attached():
    pool = PromoPoolFactory()
    first, _ = PromoCodeFactory(pool=pool), PromoCodeFactory(pool=pool)
    profile = ProfileFactory()
    code = services.assign_code(pool=pool, profile=profile)
    assert code.pk == first.pk
    event = Event.objects.get(profile=profile, type="promo_attached")
    assert event.data == {"code": first.code, "pool": pool.name}


def test_a_code_is_never_given_twice_even_after_detaching():
    pool = PromoPoolFactory()
    code = PromoCodeFactory(pool=pool)
    ann, bob = ProfileFactory(), ProfileFactory()
    services.assign_code(pool=pool, profile=ann, code=code.code)
    services.detach_code(code=PromoCode.objects.get(pk=code.pk))
    with pytest.raises(ValidationError) as error:
        services.assign_code(pool=pool, profile=bob, code=code.code)
    assert error.value.message_dict == {"code": ["This code has already been given."]}
    with pytest.raises(ValidationError) as error:
        services.assign_code(pool=pool, profile=bob)
    assert error.value.message_dict == {"pool": ["This pool has no free codes left."]}


def test_activate_and_detach_record_their_events():
    pool = PromoPoolFactory()
    PromoCodeFactory(pool=pool)
    profile = ProfileFactory()
    code = services.assign_code(pool=pool, profile=profile)
    services.activate_code(code=code)
    with pytest.raises(ValidationError):
        services.activate_code(code=code)
    services.detach_code(code=code)
    types = set(Event.objects.filter(profile=profile).values_list("type", flat=True))
    assert {"promo_attached", "promo_activated", "promo_detached"} <= types
    assert PromoCode.objects.get(pk=code.pk).state == "detached"


def test_unknown_code_is_refused():
    pool = PromoPoolFactory()
    with pytest.raises(ValidationError) as error:
        services.assign_code(pool=pool, profile=ProfileFactory(), code="NOPE123")
    assert error.value.message_dict == {"code": ["This pool has no such code."]}
