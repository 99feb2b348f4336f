"""The base every bazary API view builds on.

bazary's views take authentication, global throttles, pagination, parsers and
renderers from bazary itself (``BAZARY_CORE``, read per request), never from the
project's ``REST_FRAMEWORK`` defaults, so adding bazary never changes a
project's API and a project's defaults never change bazary's.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, renderers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .conf import core_settings
from .pagination import PageNumberPagination
from .parsers import FormParser, JSONParser, MultiPartParser, has_unstorable_text, safe_parser_classes
from .renderers import JSONRenderer
from .throttling import AnonRateThrottle, UserRateThrottle


# No docstring on purpose: drf-spectacular takes an operation's description from
# the first docstring in the view's MRO, and this mixin's would leak into every
# bazary endpoint that lacks its own.
class BazaryAPIMixin:
    # Mix into any DRF APIView. Class attributes still win: set
    # ``authentication_classes`` on a subclass to change one view.

    authentication_classes: Any = None
    permission_classes: Any = [permissions.AllowAny]
    #: Throttles of this view, on top of the API-wide anon/user throttles.
    throttle_classes: Any = ()
    pagination_class: type[BasePagination] | None = PageNumberPagination
    filter_backends: Any = ()
    #: Any of DRF's JSON, form or multipart parsers named here is replaced by
    #: bazary's (see ``get_parsers``).
    parser_classes: Any = [JSONParser, FormParser, MultiPartParser]
    renderer_classes: Any = [JSONRenderer, renderers.BrowsableAPIRenderer]

    def get_authenticators(self) -> list[BaseAuthentication]:
        classes = self.authentication_classes
        if classes is None:
            classes = core_settings.AUTHENTICATION_CLASSES
        return [auth() for auth in classes]

    def get_parsers(self) -> list[BaseParser]:
        # The one place every bazary view's parsers come from: a view that names
        # DRF's parsers still gets bazary's, which answer 400 to what DRF's
        # would turn into a 500.
        return [parser() for parser in safe_parser_classes(self.parser_classes)]

    def get_throttles(self) -> list[BaseThrottle]:
        return [throttle() for throttle in (AnonRateThrottle, UserRateThrottle, *self.throttle_classes)]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        # Query strings too: a NUL in a filter or search term would reach SQL.
        bad = sorted(
            {key for key, values in request.query_params.lists() for v in [key, *values] if has_unstorable_text(v)}
        )
        if bad:
            raise ValidationError({key: [_("May not contain NUL characters.")] for key in bad})
