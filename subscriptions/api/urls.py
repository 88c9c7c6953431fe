from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("resources", views.ResourceViewSet, basename="resource")
router.register(
    r"resources/(?P<id>\d+)/fields", views.ResourceFieldViewSet, basename="resource-field"
)
router.register("suppressions", views.SuppressionViewSet, basename="suppression")

urlpatterns = [
    *router.urls,
    path(
        "profiles/<int:id>/subscriptions/",
        views.ProfileSubscriptions.as_view(),
        name="profile-subscriptions",
    ),
    path(
        "profiles/<int:id>/delivery-target/",
        views.DeliveryTargetView.as_view(),
        name="profile-delivery-target",
    ),
    path("subscriptions/<int:pk>/", views.SubscriptionDetail.as_view(), name="subscription-detail"),
    path(
        "subscriptions/<int:pk>/confirmation-link/",
        views.ConfirmationLink.as_view(),
        name="subscription-confirmation-link",
    ),
    path(
        "subscriptions/<int:pk>/confirm/",
        views.ConfirmSubscription.as_view(),
        name="subscription-confirm",
    ),
]
