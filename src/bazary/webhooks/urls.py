"""Mounted at ``webhooks/`` by ``bazary.urls``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import EndpointDeliveryViewSet, EndpointViewSet

app_name = "bazary_webhooks"

router = SimpleRouter()
router.register("endpoints", EndpointViewSet, basename="endpoint")

deliveries = EndpointDeliveryViewSet.as_view({"get": "list"})
delivery = EndpointDeliveryViewSet.as_view({"get": "retrieve"})
redeliver = EndpointDeliveryViewSet.as_view({"post": "redeliver"})

urlpatterns = [
    *router.urls,
    path("endpoints/<str:endpoint_pk>/deliveries/", deliveries, name="endpoint-deliveries"),
    path("endpoints/<str:endpoint_pk>/deliveries/<str:pk>/", delivery, name="endpoint-delivery"),
    path("endpoints/<str:endpoint_pk>/deliveries/<str:pk>/redeliver/", redeliver, name="endpoint-redeliver"),
]
