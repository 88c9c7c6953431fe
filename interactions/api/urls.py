from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("segments", views.SegmentViewSet, basename="segment")
router.register("triggers", views.TriggerViewSet, basename="trigger")
router.register("scenarios", views.ScenarioViewSet, basename="scenario")
router.register("relations", views.RelationViewSet, basename="relation")

urlpatterns = [
    *router.urls,
    path("segments/<int:pk>/members/", views.SegmentMembers.as_view(), name="segment-members"),
    path("triggers/<int:pk>/send/", views.SendTrigger.as_view(), name="trigger-send"),
    path("triggers/<int:pk>/sends/", views.TriggerSends.as_view(), name="trigger-sends"),
    path("scenarios/<int:pk>/engage/", views.EngageScenario.as_view(), name="scenario-engage"),
    path(
        "scenarios/<int:pk>/participations/",
        views.ScenarioParticipations.as_view(),
        name="scenario-participations",
    ),
    path("identify/", views.Identify.as_view(), name="identify"),
    path("profiles/merge/", views.MergeProfiles.as_view(), name="profile-merge"),
]
