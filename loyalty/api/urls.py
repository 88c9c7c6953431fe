from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("promo-pools", views.PromoPoolViewSet, basename="promo-pool")
router.register("promo-codes", views.PromoCodeViewSet, basename="promo-code")
router.register("loyalty/programs", views.ProgramViewSet, basename="loyalty-program")

urlpatterns = [
    *router.urls,
    path(
        "loyalty/programs/<int:id>/members/",
        views.ProgramMembers.as_view(),
        name="loyalty-program-members",
    ),
    path(
        "loyalty/programs/<int:id>/transactions/",
        views.ProgramTransactions.as_view(),
        name="loyalty-program-transactions",
    ),
]
