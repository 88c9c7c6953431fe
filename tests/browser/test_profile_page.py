"""The profile page in a real browser (issue 6 item 7): log in, open a profile, switch every
tab, change the status, add a subscription, filter history, upload an avatar, export."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from history.services import EventDraft, record_many
from profiles.models import Profile
from subscriptions.models import Subscription
from tests.browser.conftest import log_in
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory

pytestmark = pytest.mark.browser

TABS = ("Main", "Personal", "Contact", "Registration", "Tracked", "Additional fields")


@pytest.fixture
def ann(shop):
    profile = ProfileFactory(
        database=shop, first_name="Ann", last_name="Lee", email="ann@example.com",
        tracked_city="London", tracked_latitude=51.5, tracked_longitude=-0.12,
        fields={"tariff": "pro", "age": 33},
    )  # fmt: skip
    now = timezone.now()
    record_many([
        EventDraft(type=kind, ts=now - timedelta(days=days), profile_id=profile.pk,
                   database_id=shop.pk, channel="email")
        for kind, days in (("open", 1), ("click", 2), ("reply", 20))
    ])  # fmt: skip
    return profile


def open_profile(page, staff, profile) -> None:
    log_in(page, staff)
    page.get_by_role("link", name="Shop").click()
    page.get_by_role("link", name=profile.email).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ann Lee")


def test_log_in_open_a_profile_and_switch_every_tab(page, staff, ann):
    # given
    open_profile(page, staff, ann)
    # when / then: each tab shows its own panel and hides the others
    for title in TABS:
        page.get_by_role("tab", name=title).click()
        tab = page.get_by_role("tab", name=title)
        expect(tab).to_have_attribute("aria-selected", "true")
        expect(page.locator(f"#{tab.get_attribute('aria-controls')}")).to_be_visible()
    expect(page.get_by_role("tabpanel")).to_have_count(1)
    expect(page.get_by_role("tabpanel")).to_contain_text("pro")  # Additional fields
    assert "tab=additional" in page.url


def test_tabs_answer_the_arrow_keys(page, staff, ann):
    open_profile(page, staff, ann)
    page.get_by_role("tab", name="Main").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Personal")).to_be_focused()
    expect(page.get_by_role("tab", name="Personal")).to_have_attribute("aria-selected", "true")


def test_map_shows_the_pin(page, staff, ann):
    open_profile(page, staff, ann)
    expect(page.get_by_test_id("map-pin")).to_be_visible()


def test_change_the_status(page, staff, ann):
    open_profile(page, staff, ann)
    page.get_by_label("Global status").select_option("suspended")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("status")).to_contain_text("Status changed to suspended.")
    ann.refresh_from_db()
    assert ann.status == "suspended"
    expect(page.locator("#block-history")).to_contain_text("status: subscribed → suspended")


def test_add_a_subscription_and_change_it_inline(page, staff, ann):
    # given
    ResourceFactory(name="Website", channels=["email", "sms"], categories=["news"])
    open_profile(page, staff, ann)
    # when
    form = page.get_by_role("form", name="Add a subscription")
    form.get_by_label("Resource").select_option(label="Website")
    form.get_by_label("Contact").fill("ann.work@example.com")
    form.get_by_role("button", name="Add subscription").click()
    # then
    expect(page.get_by_role("status")).to_contain_text("Subscription added.")
    subscription = Subscription.objects.get(profile=ann)
    row = page.locator(f"#subscription-{subscription.pk}")
    row.get_by_label("Status of ann.work@example.com").select_option("unsubscribed")
    row.get_by_label("news").check()
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Subscription saved.")
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed" and subscription.categories == {"news": True}


def test_filter_history_by_type_and_period_then_reset(page, staff, ann):
    open_profile(page, staff, ann)
    history = page.locator("#block-history")
    expect(history.locator("tr[data-type]")).to_have_count(3)  # import, open, click: 7 days
    history.get_by_label("Event types").select_option(["reply"])
    history.get_by_label("From").fill((timezone.localdate() - timedelta(days=30)).isoformat())
    history.get_by_role("button", name="Show").click()
    expect(history.locator("tr[data-type]")).to_have_count(1)
    expect(history.locator("tr[data-type=reply]")).to_have_count(1)
    history.get_by_role("link", name="Reset").click()
    expect(page.locator("#block-history tr[data-type]")).to_have_count(3)


def test_load_more_history_appends_rows(page, staff, ann):
    now = timezone.now()
    record_many([
        EventDraft(type="send", ts=now - timedelta(hours=n), profile_id=ann.pk,
                   database_id=ann.database_id, channel="sms")
        for n in range(1, 61)
    ])  # fmt: skip
    open_profile(page, staff, ann)
    rows = page.locator("#history-rows > tr")
    expect(rows).to_have_count(50)
    page.get_by_role("link", name="Load more").click()
    expect(rows).to_have_count(63)
    expect(page.get_by_role("link", name="Load more")).to_have_count(0)


def test_upload_an_avatar(page, staff, ann, tmp_path):
    image = tmp_path / "face.png"
    Image.new("RGB", (8, 8), "teal").save(image)
    open_profile(page, staff, ann)
    page.get_by_label("Upload avatar").set_input_files(str(image))
    page.get_by_role("button", name="Save avatar").click()
    expect(page.get_by_role("status")).to_contain_text("Avatar saved.")
    avatar = page.get_by_role("img", name=f"Avatar of profile {ann.pk}")
    expect(avatar).to_be_visible()
    assert avatar.evaluate("image => image.naturalWidth") == 8


def test_export_personal_data(page, staff, ann):
    open_profile(page, staff, ann)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export personal data (JSON)").click()
    document = json.loads(download.value.path().read_text())
    assert document["profile"]["email"] == "ann@example.com"
    with page.expect_download() as download:
        page.get_by_role("link", name="Export personal data (CSV)").click()
    assert download.value.path().read_text().startswith("section,item,field,value")


def test_tab_settings_dialog_pins_a_custom_tab(page, staff, ann):
    open_profile(page, staff, ann)
    page.get_by_role("button", name="Tab settings").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").fill("Sales")
    dialog.locator("form", has_text="New custom tab").get_by_label("Tariff").check()
    dialog.get_by_role("button", name="Add tab").click()
    expect(page.get_by_role("tab", name="Sales")).to_be_visible()
    page.get_by_role("button", name="Tab settings").click()
    page.get_by_role("dialog").get_by_label("Open profiles on").select_option(label="Sales")
    page.get_by_role("dialog").get_by_role("button", name="Pin").click()
    page.goto(f"/profiles/{ann.pk}/")
    expect(page.get_by_role("tab", name="Sales")).to_have_attribute("aria-selected", "true")


def test_quick_search_has_a_shareable_url(page, staff, ann):
    log_in(page, staff)
    page.get_by_role("searchbox", name="Quick search").fill("Ann Lee")
    page.get_by_role("button", name="Search").click()
    assert "q=Ann+Lee" in page.url
    page.goto(page.url)  # the same address again, as a colleague would open it
    page.get_by_role("link", name="ann@example.com").click()
    expect(page.get_by_test_id("profile-id")).to_have_text(str(ann.pk))


def test_delete_with_confirmation(page, staff, ann):
    open_profile(page, staff, ann)
    page.get_by_role("link", name="Delete profile…").click()
    page.get_by_role("button", name=f"Yes, delete profile {ann.pk}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Profile {ann.pk} deleted.")
    assert not Profile.objects.filter(pk=ann.pk).exists()
