"""`manage.py load_demo`, which `make run` calls (OPERATIONS.md)."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from profiles.models import Profile, ProfileDatabase


def test_load_demo_creates_data_once_and_prints_a_working_login(db, settings, tmp_path, capsys):
    # given
    settings.BASE_DIR = tmp_path
    # when
    call_command("load_demo", "--profiles", "25")
    first = capsys.readouterr().out
    call_command("load_demo", "--profiles", "25")
    second = capsys.readouterr().out
    # then
    assert Profile.objects.count() == 25
    assert ProfileDatabase.objects.filter(name="Demo shop").exists()
    assert "already loaded" in second
    password = first.split("admin / ")[1].split()[0]
    assert f"admin / {password}" in second
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_demo_profiles_are_valid_and_identified(db, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    call_command("load_demo", "--profiles", "20", stdout=io.StringIO())
    profiles = Profile.objects.all()
    assert all(p.md5 and p.xxh and p.phones and p.phones[0].startswith("+") for p in profiles)
    assert {p.registration_ip for p in profiles} <= {
        "81.2.69.142",
        "2.125.160.216",
        "216.160.83.56",
        "89.160.20.112",
        "175.16.199.1",
        "67.43.156.1",
        "202.196.224.1",
    }
    assert len({p.fields["customer_code"] for p in profiles}) == 20


def test_demo_subscribes_profiles_and_gives_them_history(db, settings, tmp_path):
    from history.models import Event
    from subscriptions.models import Resource, Subscription

    settings.BASE_DIR = tmp_path
    call_command("load_demo", "--profiles", "20", stdout=io.StringIO())
    assert set(Resource.objects.values_list("name", flat=True)) == {"Website", "Mobile app"}
    assert Subscription.objects.filter(channel="email").count() == 20
    assert Event.objects.filter(type="send").exists()
    created = Event.objects.filter(type__in=["subscribe", "unsubscribe"], data__old=None)
    assert created.count() == Subscription.objects.count()


# City and country of the demo's IPs in GeoLite2-City-Test (data/geoip/README.md).
DEMO_LOCATIONS = {
    "81.2.69.142": ("London", "GB"),
    "2.125.160.216": ("Boxford", "GB"),
    "216.160.83.56": ("Milton", "US"),
    "89.160.20.112": ("Linköping", "SE"),
    "175.16.199.1": ("Changchun", "CN"),
    "67.43.156.1": ("", "BT"),
    "202.196.224.1": ("", "PH"),
}


def test_demo_profiles_are_located_from_their_ips(db, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    call_command("load_demo", "--profiles", "20", stdout=io.StringIO())
    for profile in Profile.objects.all():
        expected = DEMO_LOCATIONS[profile.registration_ip]
        assert (profile.registration_city, profile.registration_country) == expected
        assert profile.tracked_ip == profile.registration_ip
        assert (profile.tracked_city, profile.tracked_country) == expected


def test_demo_fills_the_interactions_block(db, settings, tmp_path):
    from interactions.models import Participation, Relation, Segment, TriggerSend

    settings.BASE_DIR = tmp_path
    call_command("load_demo", "--profiles", "30", stdout=io.StringIO())
    vip = Segment.objects.get(name="VIP buyers")
    assert vip.memberships.count() == 30  # all of them, as there are fewer than 40
    assert TriggerSend.objects.filter(trigger__name="Welcome").count() == 20
    assert Participation.objects.filter(scenario__name="Onboarding").count() == 15
    assert Relation.objects.filter(type="referrer").count() == 10
