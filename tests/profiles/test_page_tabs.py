"""Tab settings of the profile page (P9): Main tab fields, pinned tab, custom tabs, per database."""

import pytest
from django.urls import reverse

from profiles.models import TabLayout
from tests.profiles.factories import ProfileDatabaseFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def tabs_post(client, profile, action, data):
    return client.post(reverse("profile-tabs", args=[profile.pk, action]), data, follow=True)


def panel(html: str, key: str) -> str:
    start = html.index(f'id="panel-{key}"')
    return html[start : html.index("</div>", start)]


def test_main_tab_shows_the_chosen_fields_in_order(client, desk_marketer, shop):
    # given
    profile = ProfileFactory(database=shop, first_name="Ann", fields={"tariff": "pro"})
    client.force_login(desk_marketer)
    # when
    tabs_post(client, profile, "main", {"fields": ["fields.tariff", "first_name"]})
    html = client.get(reverse("profile-page", args=[profile.pk])).content.decode()
    # then
    main = panel(html, "main")
    assert main.index("Tariff") < main.index("First name") and "Email" not in main


def test_unknown_main_field_is_refused(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    response = tabs_post(client, profile, "main", {"fields": ["password"]})
    assert "fields: Unknown field: password." in response.content.decode()
    assert not TabLayout.objects.exists()


def test_pinned_tab_opens_by_default_for_the_database_only(client, desk_marketer, shop):
    # given
    profile = ProfileFactory(database=shop)
    elsewhere = ProfileFactory(database=ProfileDatabaseFactory())
    client.force_login(desk_marketer)
    # when
    tabs_post(client, profile, "pin", {"tab": "contact"})
    # then
    html = client.get(reverse("profile-page", args=[profile.pk])).content.decode()
    other = client.get(reverse("profile-page", args=[elsewhere.pk])).content.decode()
    assert 'id="panel-contact" aria-labelledby="tab-contact" tabindex="0">' in html
    assert 'id="panel-main" aria-labelledby="tab-main" tabindex="0">' in other


def test_custom_tab_is_added_pinned_and_removed(client, desk_marketer, shop):
    # given
    profile = ProfileFactory(database=shop, fields={"age": 41})
    client.force_login(desk_marketer)
    # when
    tabs_post(client, profile, "add", {"title": "Sales", "fields": ["fields.age", "email"]})
    tabs_post(client, profile, "pin", {"tab": "custom-sales"})
    html = client.get(reverse("profile-page", args=[profile.pk])).content.decode()
    # then
    assert "41" in panel(html, "custom-sales")
    assert 'id="panel-custom-sales" aria-labelledby="tab-custom-sales" tabindex="0">' in html
    tabs_post(client, profile, "remove", {"tab": "custom-sales"})
    layout = TabLayout.objects.get(database=shop)
    assert layout.custom_tabs == [] and layout.default_tab == "main"


def test_custom_tab_needs_a_title_and_fields(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    html = tabs_post(client, profile, "add", {"title": " "}).content.decode()
    assert "title: Enter a title" in html and "fields: Choose at least one field." in html


def test_tab_settings_need_the_database_change_permission(client, exporter, shop):
    exporter.user_permissions.remove(
        *exporter.user_permissions.filter(codename="change_profiledatabase")
    )
    profile = ProfileFactory(database=shop)
    client.force_login(exporter)
    response = client.post(reverse("profile-tabs", args=[profile.pk, "pin"]), {"tab": "contact"})
    assert response.status_code == 403


def test_unknown_tab_action_is_404(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    assert client.post(reverse("profile-tabs", args=[profile.pk, "drop"])).status_code == 404
