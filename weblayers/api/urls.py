from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("forms", views.FormViewSet, basename="form")
router.register("pixels", views.PixelViewSet, basename="pixel")

urlpatterns = router.urls
