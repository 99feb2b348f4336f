"""What the catalog's views share: hostile lookups as 404s, permissions,
conditional responses."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, cast

from django.http import Http404
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from rest_framework import status
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from bazary.core.permissions import is_staff
from bazary.core.renderers import JSONRenderer, PrerenderedResponse

from ..conf import catalog_settings
from ..models import get_product_model


def guard_lookup(value: Any) -> str:
    """A slug from the URL (which accepts anything but ``/``), or a 404 for
    what no row can have and some databases refuse (NUL, absurd lengths)."""
    if not isinstance(value, str) or "\x00" in value or not value or len(value) > 1000:
        raise Http404
    return value


class CatalogPermissionMixin:
    # The catalog's read/write endpoints: PERMISSION_CLASS, read per request.
    # (A comment: drf-spectacular takes a view's first docstring as the
    # description of its operations.)

    def get_permissions(self) -> list[Any]:
        return [catalog_settings.PERMISSION_CLASS()]


class SlugLookupMixin:
    # Viewsets looked up by slug: hostile values are a JSON 404. (A comment,
    # like the mixin's above: a docstring would describe every operation.)

    def get_object(self) -> Any:
        kwargs = cast(Any, self).kwargs
        kwargs["slug"] = guard_lookup(kwargs.get("slug"))
        return cast(Any, super()).get_object()


def conditional_response(request: Request, data: Any, last_modified: datetime | None = None) -> Response:
    """200 with ``ETag`` (a hash of the body) and ``Last-Modified``, or 304
    when the client's ``If-None-Match`` / ``If-Modified-Since`` still holds.

    The body is encoded once: the JSON hashed for the ETag is the one sent
    (see :class:`~bazary.core.renderers.PrerenderedResponse`)."""
    body = JSONRenderer().render(data)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Authorization, Cookie"}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified.timestamp())
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
        if "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    elif last_modified is not None:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if since is not None and int(last_modified.timestamp()) <= since:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return PrerenderedResponse(data, headers=headers, json_body=body)


def visible_product(request: Request, slug: str) -> Any:
    qs = get_product_model()._default_manager.all()
    if not is_staff(request):
        qs = qs.visible()
    return get_object_or_404(qs, slug=guard_lookup(slug))
