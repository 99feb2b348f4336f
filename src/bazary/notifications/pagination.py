"""Page sizes of the notifications list, from ``BAZARY_NOTIFICATIONS``."""

from __future__ import annotations

from bazary.core.conf import AppSettings
from bazary.core.pagination import PageNumberPagination

from .conf import notifications_settings


class NotificationPagination(PageNumberPagination):
    app_settings: AppSettings = notifications_settings
