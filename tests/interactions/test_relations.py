"""P16 relations between profiles: by hand (service) and API; removed with the profile."""

import pytest

from config.exceptions import InvalidInput
from interactions.models import Relation
from interactions.services import relations
from profiles import services as profile_services
from tests.conftest import grant
from tests.interactions.factories import RelationFactory
from tests.profiles.factories import ProfileFactory


def test_a_relation_has_type_ends_and_time(shop, marketer):
    ann, bob = ProfileFactory(database=shop), ProfileFactory(database=shop)
    relation = relations.add_relation(type="parent", from_profile=ann, to_profile=bob,
                                      actor=marketer)  # fmt: skip
    assert (relation.type, relation.from_profile, relation.to_profile) == ("parent", ann, bob)
    assert relation.created_at is not None and relation.created_by == marketer


@pytest.mark.parametrize(
    ("type", "same", "field"), [("Parent!", False, "type"), ("parent", True, "to_profile")]
)
def test_bad_relations_are_refused(shop, type, same, field):
    ann, bob = ProfileFactory(database=shop), ProfileFactory(database=shop)
    with pytest.raises(InvalidInput) as error:
        relations.add_relation(type=type, from_profile=ann, to_profile=ann if same else bob)
    assert field in error.value.errors


def test_the_same_relation_twice_is_refused(shop):
    relation = RelationFactory()
    with pytest.raises(InvalidInput):
        relations.add_relation(type=relation.type, from_profile=relation.from_profile,
                               to_profile=relation.to_profile)  # fmt: skip


def test_relations_go_with_either_profile(shop):
    first, second = RelationFactory(), RelationFactory()
    profile_services.delete_profile(profile=first.to_profile)
    profile_services.delete_profiles(ids=[second.from_profile_id])
    assert not Relation.objects.exists()


def test_api_adds_lists_and_deletes_relations(api, marketer, shop):
    grant(marketer, "view_relation", "add_relation", "delete_relation")
    ann, bob, cyd = (ProfileFactory(database=shop) for _ in range(3))
    RelationFactory(from_profile=bob, to_profile=cyd)
    body = {"type": "referrer", "from_profile": ann.pk, "to_profile": bob.pk}
    created = api.post("/api/v1/relations/", body)
    assert created.status_code == 201, created.json()
    listed = api.get("/api/v1/relations/", {"profile": ann.pk}).json()["results"]
    assert [item["id"] for item in listed] == [created.json()["id"]]
    assert api.delete(f"/api/v1/relations/{created.json()['id']}/").status_code == 204
    assert Relation.objects.count() == 1


def test_api_refuses_without_permission_and_bad_input(api, marketer, shop):
    ann = ProfileFactory(database=shop)
    body = {"type": "parent", "from_profile": ann.pk, "to_profile": ann.pk}
    assert api.post("/api/v1/relations/", body).status_code == 403
    api.force_authenticate(grant(type(marketer).objects.get(pk=marketer.pk), "add_relation"))
    answer = api.post("/api/v1/relations/", body)
    assert answer.status_code == 400
    assert "to_profile" in answer.json()
