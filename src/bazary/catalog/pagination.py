"""Catalog pagination: sizes from ``BAZARY_CATALOG``; ``PAGINATION_CLASS`` picks one."""

from __future__ import annotations

from bazary.core.pagination import CursorPagination, PageNumberPagination

from .conf import catalog_settings


class CatalogPageNumberPagination(PageNumberPagination):
    """``?page=&page_size=`` with ``count`` (the default)."""

    app_settings = catalog_settings


class CatalogCursorPagination(CursorPagination):
    """Keyset pagination (``?cursor=``): deep pages of a large catalog cost the
    same as the first. Ordered by newest first; ``ordering`` is ignored."""

    app_settings = catalog_settings
