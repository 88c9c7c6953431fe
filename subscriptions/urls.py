"""Public pages (no sign-in), included at the site root by config/urls.py."""

from django.urls import path

from . import views

app_name = "subscriptions"
urlpatterns = [
    path("s/confirm/<str:token>/", views.confirm, name="confirm"),
]
