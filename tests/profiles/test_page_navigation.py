"""Staff navigation (issue 6 item 1, P15): login, databases, a database's profiles, quick search."""

import pytest
from django.urls import reverse

from config.paginators import CappedCountPaginator
from profiles import list_filters
from profiles.views import profile_list
from tests.profiles.factories import ProfileDatabaseFactory, ProfileFactory
from tests.subscriptions.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def listing(client, database, **query):
    return client.get(reverse("staff-profile-list", args=[database.pk]), query)


def listed_ids(response) -> list[int]:
    return [profile.pk for profile in response.context["page"]]


def test_login_page_signs_in_and_goes_to_the_databases(client, marketer):
    # given
    marketer.set_password("s3cret-pass-word")
    marketer.save()
    # when
    response = client.post(
        reverse("login"), {"username": "marketer", "password": "s3cret-pass-word"}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-database-list")


def test_login_form_has_labels_and_csrf(client):
    html = client.get(reverse("login")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_username">' in html and '<label for="id_password">' in html


def test_database_list_counts_profiles(client, marketer, shop):
    ProfileFactory.create_batch(3, database=shop)
    client.force_login(marketer)
    response = client.get(reverse("staff-database-list"))
    assert response.status_code == 200, response
    assert [(d.name, d.profile_count) for d in response.context["databases"]] == [("Shop", 3)]


def test_profile_list_filters_by_status_and_test_flag(client, marketer, shop):
    # given
    wanted = ProfileFactory(database=shop, status="unsubscribed", is_test=True)
    ProfileFactory(database=shop, status="unsubscribed")
    ProfileFactory(database=shop, status="subscribed", is_test=True)
    ProfileFactory(database=ProfileDatabaseFactory(), status="unsubscribed", is_test=True)
    client.force_login(marketer)
    # when
    response = listing(client, shop, status="unsubscribed", is_test="true")
    # then
    assert listed_ids(response) == [wanted.pk]


def test_profile_list_search_box_uses_quick_search_rules(client, marketer, shop):
    ann = ProfileFactory(database=shop, email="ann@example.com", fields={"tariff": "pro"})
    ProfileFactory(database=shop, fields={"tariff": "basic"})
    client.force_login(marketer)
    assert listed_ids(listing(client, shop, q="ANN@example.com")) == [ann.pk]
    assert listed_ids(listing(client, shop, q="tariff:pro")) == [ann.pk]


def test_profile_list_bad_field_search_explains_itself(client, marketer, shop):
    client.force_login(marketer)
    response = listing(client, shop, q="nosuch:1")
    assert response.status_code == 200
    assert "No custom field is named" in response.content.decode()


def test_profile_list_sorting_and_pages(client, marketer, shop, settings):
    # given
    profiles = [ProfileFactory(database=shop, last_name=name) for name in ("Cole", "Abel", "Bell")]
    client.force_login(marketer)
    # when / then
    assert listed_ids(listing(client, shop)) == [p.pk for p in reversed(profiles)]
    by_name = listed_ids(listing(client, shop, order="last_name"))
    assert by_name == [profiles[1].pk, profiles[2].pk, profiles[0].pk]
    assert listing(client, shop, page="99").context["page"].number == 1  # clamped to the last page


def test_profile_list_counts_up_to_a_cap_and_says_so(client, marketer, shop, monkeypatch):
    # given more profiles than the cap (10,000 in production: 4 here)
    monkeypatch.setattr(CappedCountPaginator, "CAP", 4)
    monkeypatch.setattr(profile_list, "PAGE_SIZE", 2)
    ProfileFactory.create_batch(5, database=shop)
    client.force_login(marketer)
    # when
    response = listing(client, shop, page="2")
    # then: two pages of the first four, and the page says there are more
    page = response.context["page"]
    assert (page.paginator.count, page.paginator.num_pages, page.paginator.capped) == (4, 2, True)
    assert "more than 4 profiles" in response.content.decode()
    assert not page.has_next()
    # and under the cap, the exact number
    monkeypatch.setattr(CappedCountPaginator, "CAP", 5)
    page = listing(client, shop).context["page"]
    assert (page.paginator.count, page.paginator.capped) == (5, False)
    assert "· 5 profiles" in listing(client, shop).content.decode()


def test_profile_list_bad_filter_values_never_500(client, marketer, shop):
    client.force_login(marketer)
    response = listing(client, shop, status="<b>", is_test="maybe", order="password", page="x")
    assert response.status_code == 200


def test_profile_list_query_budget(client, marketer, shop, django_assert_max_num_queries):
    ProfileFactory.create_batch(60, database=shop)
    client.force_login(marketer)
    # session, user, user permissions, group permissions, database, the database's segments
    # (the filter's choices), count, page of profiles
    with django_assert_max_num_queries(8):
        response = listing(client, shop, status="subscribed")
    assert len(response.context["page"]) == 50


def test_segment_filter_is_absent_without_a_segment_source(client, marketer, shop):
    registered = list_filters._segment_source  # the interactions app's
    list_filters.set_segment_source(None)
    try:
        client.force_login(marketer)
        assert "segment" not in listing(client, shop).context["filter"].form.fields
    finally:
        list_filters.set_segment_source(registered)


def test_segment_filter_lists_the_members_of_a_static_segment(client, marketer, shop):
    from interactions.services import segments
    from tests.interactions.factories import SegmentFactory

    # given a static segment (I1) with one of the database's two profiles
    member, _other = ProfileFactory(database=shop), ProfileFactory(database=shop)
    segment = SegmentFactory(database=shop, name="VIP <b>buyers</b>")
    segments.add_to_segment(segment=segment, profile_ids=[member.pk])
    client.force_login(marketer)
    # when
    response = listing(client, shop, segment=str(segment.pk))
    # then
    assert listed_ids(response) == [member.pk]
    assert "VIP &lt;b&gt;buyers&lt;/b&gt;" in response.content.decode()


def test_segment_filter_plugs_in_through_the_hook(client, marketer, shop):
    # given a segment source such as the interactions app registers
    member = ProfileFactory(database=shop)
    ProfileFactory(database=shop)
    source = list_filters.SegmentSource(
        choices=lambda database: [(7, "VIPs")],
        members=lambda queryset, segment: queryset.filter(pk=member.pk if segment == 7 else 0),
    )
    registered = list_filters._segment_source
    list_filters.set_segment_source(source)
    try:
        client.force_login(marketer)
        # when
        response = listing(client, shop, segment="7")
    finally:
        list_filters.set_segment_source(registered)
    # then
    assert listed_ids(response) == [member.pk]
    assert "VIPs" in response.content.decode()


def test_quick_search_across_databases_with_a_shareable_url(client, marketer, shop):
    # given
    other = ProfileDatabaseFactory(name="Other")
    first = ProfileFactory(database=shop, first_name="Zoe", last_name="Quinn")
    second = ProfileFactory(database=other, first_name="Zoe", last_name="Quinn")
    client.force_login(marketer)
    # when
    response = client.get(reverse("quick-search") + "?q=Zoe+Quinn")
    # then
    assert {p.pk for p in response.context["results"]} == {first.pk, second.pk}
    assert "Other" in response.content.decode()


def test_quick_search_email_in_subscription_contacts(client, marketer, shop):
    holder = ProfileFactory(database=shop, email="owner@example.com")
    SubscriptionFactory(profile=holder, contact="Work@Example.com")
    client.force_login(marketer)
    found = client.get(reverse("quick-search"), {"q": "work@example.com", "in": "contacts"})
    not_found = client.get(reverse("quick-search"), {"q": "work@example.com"})
    assert [p.pk for p in found.context["results"]] == [holder.pk]
    assert not_found.context["results"] == []


def test_quick_search_error_is_shown_not_raised(client, marketer, shop):
    client.force_login(marketer)
    response = client.get(reverse("quick-search"), {"q": "age:old"})
    assert response.status_code == 200
    assert response.context["error"]


def test_the_site_root_leads_staff_to_the_databases_and_strangers_to_the_login(client, marketer):
    # an anonymous visitor is sent to the staff login, coming back to the databases after
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('login')}?next=/databases/"
    # a signed-in marketer lands on the databases
    client.force_login(marketer)
    assert client.get("/")["Location"] == reverse("staff-database-list")
