"""I2 trigger mailings: sending by hand, API and event; delivery target (S3) and control
group (P13); rendering; channel backends; the send/delivery/trigger_sent events."""

import pytest
from django.core import mail

from config.exceptions import InvalidInput
from history import services as history
from history.models import Event
from interactions import channels
from interactions.models import TriggerCursor, TriggerSend
from interactions.services import triggers
from profiles.services import update_profile
from tests.conftest import grant
from tests.interactions.factories import TriggerFactory
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory


@pytest.fixture
def ann(shop):
    profile = ProfileFactory(database=shop, first_name="Ann", fields={"tariff": "pro"})
    return profile


@pytest.fixture
def resource(db):
    return ResourceFactory()


def send(trigger, profile, capture, actor=None) -> TriggerSend:
    with capture(execute=True):
        queued = triggers.send_trigger(trigger=trigger, profile=profile, actor=actor)
    queued.refresh_from_db()
    return queued


def types_of(profile) -> list[str]:
    return list(
        Event.objects.filter(profile_id=profile.pk, object_type="interactions.trigger")
        .order_by("id")
        .values_list("type", flat=True)
    )


def test_a_send_by_hand_renders_and_emails_the_target(
    ann, resource, marketer, django_capture_on_commit_callbacks
):
    # given
    SubscriptionFactory(profile=ann, resource=resource, contact="ann@shop.example")
    trigger = TriggerFactory(resource=resource)
    # when
    sent = send(trigger, ann, django_capture_on_commit_callbacks, actor=marketer)
    # then
    assert (sent.status, sent.contact) == ("delivered", "ann@shop.example")
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["ann@shop.example"], "Hello Ann", "Your tariff: pro.")
    ]
    assert types_of(ann) == ["send", "delivery", "trigger_sent"]
    done = Event.objects.get(profile_id=ann.pk, type="trigger_sent")
    assert done.data["result"] == "delivered" and done.actor_id == marketer.pk


def test_no_target_is_recorded_with_its_reason(ann, resource, django_capture_on_commit_callbacks):
    trigger = TriggerFactory(resource=resource)
    sent = send(trigger, ann, django_capture_on_commit_callbacks)
    assert (sent.status, sent.reason) == (
        "no_target",
        "no subscription to this resource and channel",
    )
    assert types_of(ann) == ["trigger_sent"]
    assert Event.objects.get(type="trigger_sent").data["reason"] == sent.reason
    assert mail.outbox == []


def test_an_unsubscribed_profile_gets_the_global_status_reason(
    ann, resource, django_capture_on_commit_callbacks
):
    SubscriptionFactory(profile=ann, resource=resource)
    update_profile(profile=ann, values={"status": "unsubscribed"})
    sent = send(TriggerFactory(resource=resource), ann, django_capture_on_commit_callbacks)
    assert sent.reason == "global status is unsubscribed"


def test_the_control_group_is_held_out_of_marketing_triggers_only(
    shop, resource, settings, django_capture_on_commit_callbacks
):
    settings.GCG_SHARE_PERCENT = 100
    member = ProfileFactory(database=shop)
    SubscriptionFactory(profile=member, resource=resource)
    marketing = TriggerFactory(resource=resource, is_marketing=True)
    transactional = TriggerFactory(resource=resource, is_marketing=False)
    held = send(marketing, member, django_capture_on_commit_callbacks)
    passed = send(transactional, member, django_capture_on_commit_callbacks)
    assert (held.status, held.reason) == ("no_target", "profile is in the global control group")
    assert passed.status == "delivered"


class Refusing(channels.ChannelBackend):
    def send(self, message):
        raise channels.DeliveryFailed("gateway said no")


def test_a_backend_failure_is_recorded(ann, resource, settings, django_capture_on_commit_callbacks):
    settings.CHANNEL_BACKENDS = {"sms": f"{__name__}.Refusing"}
    SubscriptionFactory(profile=ann, resource=resource, channel="sms", contact="+447911123456")
    sent = send(TriggerFactory(resource=resource, channel="sms"), ann,
                django_capture_on_commit_callbacks)  # fmt: skip
    assert (sent.status, sent.reason) == ("failed", "gateway said no")
    assert types_of(ann) == ["send", "trigger_sent"]


def test_push_goes_to_the_console_by_default(
    ann, resource, capsys, django_capture_on_commit_callbacks
):
    SubscriptionFactory(profile=ann, resource=resource, channel="push", contact="token-1")
    trigger = TriggerFactory(resource=resource, channel="push", subject="", body="Hi {{ email }}")
    sent = send(trigger, ann, django_capture_on_commit_callbacks)
    assert sent.status == "delivered"
    assert f"[push to token-1] \nHi {ann.email}" in capsys.readouterr().out


def test_delivering_again_sends_nothing_more(ann, resource, django_capture_on_commit_callbacks):
    SubscriptionFactory(profile=ann, resource=resource)
    sent = send(TriggerFactory(resource=resource), ann, django_capture_on_commit_callbacks)
    triggers.deliver(send_id=sent.pk)
    assert len(mail.outbox) == 1
    assert types_of(ann).count("send") == 1


def test_an_event_launches_its_trigger_once(ann, resource, django_capture_on_commit_callbacks):
    # given a trigger on orders, and an order event
    SubscriptionFactory(profile=ann, resource=resource)
    trigger = TriggerFactory(resource=resource, event_type="order")
    history.record(type="order", profile=ann, data={"total": 10})
    history.record(type="open", profile=ann)
    # when the beat task runs twice
    with django_capture_on_commit_callbacks(execute=True):
        assert triggers.launch_triggers() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert triggers.launch_triggers() == 0
    # then
    assert list(TriggerSend.objects.values_list("trigger", "status")) == [(trigger.pk, "delivered")]
    assert len(mail.outbox) == 1


def test_events_before_any_trigger_launch_nothing(ann, resource):
    history.record(type="order", profile=ann)
    triggers.launch_triggers()
    TriggerFactory(resource=resource, event_type="order")
    assert triggers.launch_triggers() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"body": "Hi {{ password }}"}, "body"),
        ({"subject": "{{ fields.Bad-Name }}"}, "subject"),
        ({"channel": "viber"}, "channel"),
        ({"event_type": "trigger_sent"}, "event_type"),
    ],
)
def test_bad_triggers_are_refused(resource, changes, field):
    with pytest.raises(InvalidInput) as error:
        TriggerFactory(resource=resource, **changes)
    assert field in error.value.errors


def test_api_sends_a_trigger(api, marketer, ann, resource, django_capture_on_commit_callbacks):
    SubscriptionFactory(profile=ann, resource=resource)
    trigger = TriggerFactory(resource=resource)
    url = f"/api/v1/triggers/{trigger.pk}/send/"
    assert api.post(url, {"profile": ann.pk}).status_code == 403
    api.force_authenticate(grant(type(marketer).objects.get(pk=marketer.pk), "send_trigger"))
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(url, {"profile": ann.pk})
    assert answer.status_code == 202, answer.json()
    assert answer.json()["status"] == "queued"
    assert TriggerSend.objects.get().status == "delivered"
    assert api.post(url, {"profile": 0}).status_code == 400


def test_api_creates_triggers_with_clear_errors(api, marketer, resource):
    grant(marketer, "add_trigger", "view_trigger")
    body = {"name": "Welcome", "resource": resource.pk, "channel": "email", "subject": "Hi",
            "body": "Hello {{ first_name }}", "event_type": "subscribe"}  # fmt: skip
    created = api.post("/api/v1/triggers/", body)
    assert created.status_code == 201, created.json()
    again = api.post("/api/v1/triggers/", body | {"body": "{{ nope }}"})
    assert again.status_code == 400
    assert set(again.json()) == {"name", "body"}


class Crashing(channels.ChannelBackend):
    def send(self, message):
        raise RuntimeError("socket closed")


def test_a_crashing_backend_fails_its_send_only(
    shop, resource, settings, django_capture_on_commit_callbacks
):
    settings.CHANNEL_BACKENDS = {"email": f"{__name__}.Crashing"}
    ann, bob = ProfileFactory(database=shop), ProfileFactory(database=shop)
    for profile in (ann, bob):
        SubscriptionFactory(profile=profile, resource=resource)
    trigger = TriggerFactory(resource=resource)
    with django_capture_on_commit_callbacks(execute=True):
        ids = [triggers.send_trigger(trigger=trigger, profile=p, actor=None).pk for p in (ann, bob)]
    statuses = TriggerSend.objects.filter(pk__in=ids).values_list("status", "reason")
    assert set(statuses) == {("failed", "backend error: socket closed")}


def test_a_line_break_in_a_name_cannot_reach_the_subject_header(
    shop, resource, django_capture_on_commit_callbacks
):
    profile = ProfileFactory(database=shop, first_name="Ann\nBcc: x@evil.example")
    SubscriptionFactory(profile=profile, resource=resource)
    sent = send(TriggerFactory(resource=resource), profile, django_capture_on_commit_callbacks)
    assert sent.status == "delivered"
    assert mail.outbox[0].subject == "Hello Ann Bcc: x@evil.example"
    assert mail.outbox[0].bcc == []


def test_api_lists_a_triggers_sends_with_their_outcome(
    api, marketer, ann, resource, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    grant(marketer, "view_triggersend")
    trigger = TriggerFactory(resource=resource)
    for _ in range(3):
        send(trigger, ann, django_capture_on_commit_callbacks)
    # user permissions (2), the profile filter's lookup, the page of sends
    with django_assert_max_num_queries(4):
        listed = api.get(f"/api/v1/triggers/{trigger.pk}/sends/", {"profile": ann.pk}).json()
    assert [(item["status"], item["reason"]) for item in listed["results"]] == [
        ("no_target", "no subscription to this resource and channel")
    ] * 3
    assert api.get(f"/api/v1/triggers/{trigger.pk}/sends/", {"status": "bogus"}).status_code == 400


def test_an_event_committed_late_below_the_cursor_still_launches(
    ann, resource, django_capture_on_commit_callbacks
):
    # given a trigger, and the launcher already past an event that was not visible yet
    SubscriptionFactory(profile=ann, resource=resource)
    trigger = TriggerFactory(resource=resource, event_type="order")
    history.record(type="order", profile=ann)
    history.record(type="open", profile=ann)
    late = Event.objects.get(type="order")
    TriggerCursor.objects.update_or_create(pk=1, defaults={"last_event_id": late.pk + 1})
    history.record(type="open", profile=ann)  # something new to look at
    # when
    with django_capture_on_commit_callbacks(execute=True):
        launched = triggers.launch_triggers()
    # then
    assert launched == 1
    assert TriggerSend.objects.get().event_id == late.pk
    assert trigger.sends.get().status == "delivered"
