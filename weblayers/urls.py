"""Public endpoints (no sign-in), included at the site root by config/urls.py."""

from django.urls import path, re_path

from . import views

app_name = "weblayers"
urlpatterns = [
    path("f/<slug:slug>/", views.form_page, name="form"),
    re_path(
        r"^px/(?P<pixel_id>[A-Za-z0-9_-]{1,64})\.(?P<format>gif|json)$",
        views.pixel,
        name="pixel",
    ),
    path("l/<str:token>/", views.link, name="link"),
]
