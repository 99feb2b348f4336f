"""Catalog pagination: sizes from ``BAZARY_CATALOG``; ``PAGINATION_CLASS`` picks one."""

from __future__ import annotations

from functools import cached_property, partial
from typing import Any, cast

from django.core.paginator import Paginator

from bazary.core.pagination import CursorPagination, PageNumberPagination

from .conf import catalog_settings


class CatalogPageNumberPagination(PageNumberPagination):
    """``?page=&page_size=`` with ``count`` (the default)."""

    app_settings = catalog_settings


class CatalogCursorPagination(CursorPagination):
    """Keyset pagination (``?cursor=``): deep pages of a large catalog cost the
    same as the first. Ordered by newest first; ``ordering`` is ignored."""

    app_settings = catalog_settings


class CappedCountPaginator(Paginator):
    """Django's paginator with a bounded count: ``SELECT COUNT(*)`` over at most
    ``max_count`` rows (``LIMIT`` in a subquery), so its cost stops growing
    with the table."""

    def __init__(self, object_list: Any, per_page: Any, *args: Any, max_count: int = 10_000, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.max_count = max_count

    @cached_property
    def count(self) -> int:
        # The catalog paginates querysets: slicing keeps it one SQL statement.
        queryset = cast(Any, self.object_list)
        return int(queryset[: self.max_count].count())


class CatalogCappedCountPagination(CatalogPageNumberPagination):
    """``?page=&page_size=`` whose ``count`` stops at ``max_count`` (10,000):
    on a large catalog the exact ``COUNT(*)`` of every list request reads every
    matching row, the capped one at most ``max_count``. A ``count`` equal to
    ``max_count`` means "at least that many"; pages past it are a 404 (narrow
    the filters, or use :class:`CatalogCursorPagination` to walk everything).
    Subclass to change ``max_count``."""

    max_count = 10_000

    @property
    def django_paginator_class(self) -> Any:  # type: ignore[override]
        return partial(CappedCountPaginator, max_count=self.max_count)
