"""Mounted at ``notifications/`` by ``bazary.urls``, or alone with
``path("notifications/", include("bazary.notifications.urls"))``."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import NotificationViewSet, PreferencesView

app_name = "bazary_notifications"

router = SimpleRouter()
router.register("", NotificationViewSet, basename="notification")

urlpatterns = [
    # Before the router, whose detail route would otherwise claim "preferences".
    path("preferences/", PreferencesView.as_view(), name="preferences"),
    path("", include(router.urls)),
]
