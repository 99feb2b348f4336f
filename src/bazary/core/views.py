"""The base every bazary API view builds on.

bazary's views take authentication, global throttles and pagination from
``BAZARY_CORE`` (read per request), never from the project's
``REST_FRAMEWORK`` defaults, so adding bazary never changes a project's API and
a project's defaults never change bazary's.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.authentication import BaseAuthentication
from rest_framework.pagination import BasePagination
from rest_framework.throttling import BaseThrottle

from .conf import core_settings
from .pagination import PageNumberPagination
from .throttling import AnonRateThrottle, UserRateThrottle


class BazaryAPIMixin:
    """Mix into any DRF ``APIView``. Class attributes still win: set
    ``authentication_classes`` on a subclass to change one view."""

    authentication_classes: Any = None
    permission_classes: Any = [permissions.AllowAny]
    #: Throttles of this view, on top of the API-wide anon/user throttles.
    throttle_classes: Any = ()
    pagination_class: type[BasePagination] | None = PageNumberPagination
    filter_backends: Any = ()

    def get_authenticators(self) -> list[BaseAuthentication]:
        classes = self.authentication_classes
        if classes is None:
            classes = core_settings.AUTHENTICATION_CLASSES
        return [auth() for auth in classes]

    def get_throttles(self) -> list[BaseThrottle]:
        return [throttle() for throttle in (AnonRateThrottle, UserRateThrottle, *self.throttle_classes)]
