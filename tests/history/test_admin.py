"""Staff can read history in the admin but never write it."""

from tests.history.factories import EventFactory
from tests.profiles.factories import ProfileFactory


def test_history_changelist_lists_and_searches_events(
    admin_client, shop, django_assert_max_num_queries
):
    # given
    ann, bob = ProfileFactory(database=shop), ProfileFactory(database=shop)
    EventFactory(profile=ann, type="click", data={"url": "<script>x</script>"})
    EventFactory(profile=bob, type="open", visitor="<b>v1</b>")
    # when: session, user, one page of events with their actors, the filter choices
    with django_assert_max_num_queries(8):
        response = admin_client.get("/admin/history/event/", {"q": str(ann.id)})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/admin/profiles/profile/{ann.id}/change/" in html
    assert f"/admin/profiles/profile/{bob.id}/change/" not in html


def test_history_cannot_be_added_changed_or_deleted(admin_client, shop):
    event = EventFactory(profile=ProfileFactory(database=shop))
    assert admin_client.get("/admin/history/event/add/").status_code == 403
    detail = admin_client.get(f"/admin/history/event/{event.id}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    assert admin_client.post(f"/admin/history/event/{event.id}/delete/").status_code == 403
