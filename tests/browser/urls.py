"""The site's URLs plus uploaded media, which config/urls.py serves only with DEBUG (tests run
without it), so avatars load in the browser tests."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from config.urls import urlpatterns as site

urlpatterns = [
    *site,
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
