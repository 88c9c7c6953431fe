from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

api_v1 = [
    path("", include("profiles.api.urls")),
    path("", include("history.api.urls")),
    path("", include("subscriptions.api.urls")),
    path("", include("imports.api.urls")),
    path("", include("market.api.urls")),
    path("", include("loyalty.api.urls")),
    path("", include("weblayers.api.urls")),
    path("", include("interactions.api.urls")),
]

urlpatterns = [
    # The API first: its requests are the many, and each pattern before it costs a regex try.
    path("api/v1/", include(api_v1)),
    path("", RedirectView.as_view(pattern_name="staff-database-list", permanent=False)),
    path("admin/", admin.site.urls),
    path("", include("subscriptions.urls")),
    path("", include("weblayers.urls")),
    path("", include("loyalty.urls")),
    path("", include("profiles.urls")),
    path("", include("interactions.urls")),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[]),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", permission_classes=[]),
        name="api-redoc",
    ),
]
# API paths that match no route answer 404 as JSON, like the API's own 404s (API.md).
handler404 = "config.exceptions.not_found"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
