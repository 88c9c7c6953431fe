from django.urls import path

from . import views

urlpatterns = [
    path("profiles/<int:id>/history/", views.ProfileHistory.as_view(), name="profile-history"),
    path(
        "profiles/<int:id>/history/export/",
        views.ProfileHistoryExport.as_view(),
        name="profile-history-export",
    ),
    path("profiles/<int:id>/summary/", views.SummaryView.as_view(), name="profile-summary"),
    path("events/", views.EventIngestion.as_view(), name="events"),
    path(
        "databases/<int:id>/history/export/",
        views.DatabaseHistoryExport.as_view(),
        name="database-history-export",
    ),
]
