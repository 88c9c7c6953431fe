"""The staff's profile pages (issue 6). `profile-page` is global: other apps' block forms
redirect there with reverse("profile-page", args=[id])."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import (
    databases,
    header,
    profile_list,
    profile_page,
    search,
    subscriptions,
    tab_settings,
)

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            next_page="staff-database-list", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("databases/", databases.database_list, name="staff-database-list"),
    path(
        "databases/<int:database_id>/profiles/",
        profile_list.profile_list,
        name="staff-profile-list",
    ),
    path("search/", search.quick_search, name="quick-search"),
    path("profiles/<int:profile_id>/", profile_page.profile_page, name="profile-page"),
    path(
        "profiles/<int:profile_id>/history/", profile_page.history_rows, name="profile-history-rows"
    ),
    path("profiles/<int:profile_id>/status/", header.change_status, name="profile-status"),
    path("profiles/<int:profile_id>/test/", header.change_test_flag, name="profile-test-flag"),
    path("profiles/<int:profile_id>/avatar/", header.upload_avatar, name="profile-avatar"),
    path("profiles/<int:profile_id>/delete/", header.delete_profile, name="profile-delete"),
    path(
        "profiles/<int:profile_id>/export.<str:format>",
        header.export_personal_data,
        name="profile-export",
    ),
    path(
        "profiles/<int:profile_id>/tabs/<str:action>/",
        tab_settings.change_tabs,
        name="profile-tabs",
    ),
    path(
        "profiles/<int:profile_id>/subscriptions/add/",
        subscriptions.add_subscription,
        name="profile-subscription-add",
    ),
    path(
        "profiles/<int:profile_id>/subscriptions/change/",
        subscriptions.change_subscription,
        name="profile-subscription-change",
    ),
]
