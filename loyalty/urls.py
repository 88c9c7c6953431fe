"""Back-office actions of the profile page blocks (login and permission required)."""

from django.urls import path

from . import views

app_name = "loyalty"
urlpatterns = [
    path("loyalty/members/<int:member_id>/adjust/", views.adjust_points, name="adjust"),
    path(
        "loyalty/profiles/<int:profile_id>/promo-codes/assign/",
        views.assign_code,
        name="assign-code",
    ),
    path("loyalty/promo-codes/<int:code_id>/<slug:action>/", views.change_code, name="change-code"),
]
