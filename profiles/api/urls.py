from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .bulk_views import DatabaseProfileBulkUpdate
from .export_views import DatabaseProfileExport, ProfilePersonalDataExport

router = SimpleRouter()
router.register("databases", views.DatabaseViewSet, basename="database")
router.register(r"databases/(?P<id>\d+)/fields", views.FieldViewSet, basename="database-field")

urlpatterns = [
    *router.urls,
    path(
        "databases/<int:id>/profiles/",
        views.DatabaseProfileList.as_view(),
        name="database-profiles",
    ),
    path("profiles/<int:pk>/", views.ProfileDetail.as_view(), name="profile-detail"),
]

urlpatterns += [
    path(
        "databases/<int:id>/profiles/export/",
        DatabaseProfileExport.as_view(),
        name="database-profiles-export",
    ),
    path(
        "databases/<int:id>/profiles/bulk-update/",
        DatabaseProfileBulkUpdate.as_view(),
        name="database-profiles-bulk-update",
    ),
    path(
        "profiles/<int:id>/export/",
        ProfilePersonalDataExport.as_view(),
        name="profile-personal-data-export",
    ),
]
