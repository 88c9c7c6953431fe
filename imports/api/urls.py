from django.urls import path

from . import views

urlpatterns = [
    path(
        "databases/<int:id>/profiles/import/",
        views.ProfileImport.as_view(),
        name="database-profiles-import",
    ),
]
