"""X1/I1: an import may put the profiles it created or updated into a new static segment,
from the admin upload, `manage.py import_profiles --segment` and the API import."""

import io

from django.core.files.base import ContentFile
from django.core.management import call_command

from history.models import Event
from imports import services
from imports.models import ImportJob
from interactions.models import Segment
from tests.conftest import grant
from tests.interactions.factories import SegmentFactory
from tests.profiles.factories import ProfileFactory

TEXT = "email,age\nann@example.com,30\nbob@example.com,x\ncyd@example.com,41\n"


def import_text(database, text, **options) -> ImportJob:
    job = services.upload_file(database=database, file=ContentFile(text.encode(), name="t.csv"))
    services.configure_import(job=job, mapping=["email", "fields.age"], **options)
    return services.run_import(job_id=job.pk)


def test_a_file_import_puts_created_and_updated_profiles_into_a_new_segment(shop):
    # given ann exists, bob's row is bad
    ann = ProfileFactory(database=shop, email="ann@example.com")
    # when
    job = import_text(shop, TEXT, segment_name="Spring fair")
    # then the segment holds ann (updated) and cyd (created), each with an entered event
    segment = Segment.objects.get(database=shop, name="Spring fair")
    assert job.segment == segment
    members = set(segment.memberships.values_list("profile__email", flat=True))
    assert members == {"ann@example.com", "cyd@example.com"}
    entered = Event.objects.filter(type="segment_entered", object_id=segment.pk)
    assert entered.count() == 2
    assert entered.filter(profile_id=ann.pk, data__source="import").exists()


def test_without_a_name_no_segment_is_made(shop):
    job = import_text(shop, TEXT)
    assert job.segment is None
    assert not Segment.objects.exists()


def test_a_taken_segment_name_is_refused_when_configuring(shop):
    SegmentFactory(database=shop, name="Spring fair")
    job = services.upload_file(database=shop, file=ContentFile(TEXT.encode(), name="t.csv"))
    try:
        services.configure_import(job=job, mapping=["email", "fields.age"],
                                  segment_name="Spring fair")  # fmt: skip
    except services.InvalidInput as error:
        assert "segment_name" in error.errors
    else:
        raise AssertionError("a taken name was accepted")


def test_the_command_takes_a_segment_name(shop, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(TEXT)
    call_command("import_profiles", str(path), "--database", str(shop.pk), "--segment",
                 "From the shell", stdout=io.StringIO())  # fmt: skip
    segment = Segment.objects.get(name="From the shell")
    assert segment.memberships.count() == 2


def test_the_api_import_makes_the_segment(api, shop, marketer):
    grant(marketer, "add_profile", "change_profile")
    body = {"matching": "email", "segment": "API batch",
            "profiles": [{"email": "dee@example.com"}, {"email": "bad"}]}  # fmt: skip
    answer = api.post(f"/api/v1/databases/{shop.pk}/profiles/import/", body, format="json")
    assert answer.status_code == 200, answer.json()
    segment = Segment.objects.get(name="API batch")
    assert answer.json()["segment"] == segment.pk
    assert list(segment.memberships.values_list("profile__email", flat=True)) == ["dee@example.com"]


def test_the_admin_mapping_form_offers_the_option(shop):
    from imports.forms import MappingForm
    from imports.reading import Layout
    from profiles.services import field_definitions

    job = services.upload_file(database=shop, file=ContentFile(TEXT.encode(), name="t.csv"))
    definitions = field_definitions(shop)
    form = MappingForm(
        {"encoding": "utf-8", "delimiter": ",", "matching": "email", "column_0": "email",
         "column_1": "fields.age", "segment_name": "From the page", "create_new": "on"},
        job=job, layout=Layout("utf-8", ",", ["email", "age"]), mapping=[], definitions=definitions,
    )  # fmt: skip
    assert "segment_name" in [field.name for field in form.option_fields()]
    assert form.is_valid(), form.errors
    assert form.options()["segment_name"] == "From the page"
