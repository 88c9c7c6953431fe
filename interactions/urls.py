from django.urls import path

from . import views

PREFIX = "interactions/profiles/<int:profile_id>/"

urlpatterns = [
    path(f"{PREFIX}segments/add/", views.add_to_segment, name="interactions-add-to-segment"),
    path(
        f"{PREFIX}segments/remove/",
        views.remove_from_segment,
        name="interactions-remove-from-segment",
    ),  # fmt: skip
    path(f"{PREFIX}triggers/send/", views.send_trigger, name="interactions-send-trigger"),
    path(f"{PREFIX}scenarios/engage/", views.engage, name="interactions-engage"),
    path(f"{PREFIX}relations/add/", views.add_relation, name="interactions-add-relation"),
    path(f"{PREFIX}merge/", views.merge, name="interactions-merge"),
]
