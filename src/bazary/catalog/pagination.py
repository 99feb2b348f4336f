"""Catalog pagination: sizes from ``BAZARY_CATALOG``; ``PAGINATION_CLASS`` picks one.

The page-number pages of the catalog carry ``count_is_exact`` next to
``count``: the default (:class:`CatalogCappedCountPagination`) counts at most
``MAX_COUNT`` matching rows, so a list request costs the same whatever the
size of the catalog; :class:`CatalogPageNumberPagination` counts exactly
(``count_is_exact`` is always true), in one page shape for clients.
"""

from __future__ import annotations

from functools import cached_property, partial
from typing import Any, cast

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import Count, Window
from django.db.models.query import ModelIterable, ValuesIterable
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response

from bazary.core.pagination import CursorPagination, PageNumberPagination

from .conf import catalog_settings
from .search import RANK

#: The page query's column holding the count of every matching row.
_TOTAL = "_bazary_total"


class SearchCountPaginator(Paginator):
    """Django's paginator, which counts a search's page in the page's query.

    A search's queryset (annotated with the backends' rank) holds at most
    ``SEARCH_MAX_RESULTS`` rows, and the database reads every one of them to
    sort the page (by rank, or by any ``ordering``), so ``COUNT(*) OVER ()``
    in that query costs nothing, where a separate ``COUNT(*)`` reads them
    all again. Any other queryset is counted first, as Django does. A page
    past the last has no row to read the count from: it is counted then, so
    it fails with Django's reason."""

    def page(self, number: Any) -> Page:
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 0
        if wanted < 1 or self.orphans or self._count_known() or not _counts_in_page(self.object_list):
            return super().page(number)
        bottom = (wanted - 1) * self.per_page
        queryset = cast(Any, self.object_list)
        rows = list(queryset.annotate(**{_TOTAL: Window(Count("*"))})[bottom : bottom + self.per_page])
        if not rows and wanted > 1:
            return super().page(number)
        total = 0
        for row in rows:
            total = (row if isinstance(row, dict) else row.__dict__).pop(_TOTAL)
        self._know_count(total)
        return cast(Any, self)._get_page(rows, self.validate_number(wanted), self)  # Django's hook

    def _count_known(self) -> bool:
        return "count" in self.__dict__

    def _know_count(self, total: int) -> None:
        self.__dict__["count"] = total  # what the cached property would have counted


def _counts_in_page(queryset: Any) -> bool:
    """A search's queryset of model instances or dicts, on a database with window functions."""
    query = getattr(queryset, "query", None)
    return (
        query is not None
        and RANK in query.annotations
        and getattr(queryset, "_iterable_class", None) in (ModelIterable, ValuesIterable)
        and connections[queryset.db].features.supports_over_clause
    )


class CatalogPageNumberPagination(PageNumberPagination):
    """``?page=&page_size=`` with the exact ``count`` (``count_is_exact`` is
    always true); tags, images, variants and options always use it."""

    app_settings = catalog_settings
    django_paginator_class = SearchCountPaginator

    def count_is_exact(self) -> bool:
        return True

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": cast(Any, self.page).paginator.count,
                "count_is_exact": self.count_is_exact(),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    count_description = _("The number of matching items.")

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        properties = paginated["properties"]
        properties["count"] = {**properties["count"], "description": str(self.count_description)}
        paginated["properties"] = {
            "count": properties["count"],
            "count_is_exact": {
                "type": "boolean",
                "example": True,
                "description": str(
                    _("True when count is the exact number of matching items; false when it stopped at the cap.")
                ),
            },
            **{key: value for key, value in properties.items() if key != "count"},
        }
        paginated["required"] = [*paginated.get("required", []), "count_is_exact"]
        return paginated


class CatalogCursorPagination(CursorPagination):
    """Keyset pagination (``?cursor=``): deep pages of a large catalog cost the
    same as the first. Ordered by newest first; ``ordering`` is ignored."""

    app_settings = catalog_settings


class CappedCountPaginator(SearchCountPaginator):
    """Django's paginator with a bounded count: ``SELECT COUNT(*)`` over at most
    ``max_count + 1`` rows (``LIMIT`` in a subquery), so its cost stops growing
    with the table. ``count`` is then at most ``max_count``, and
    ``count_is_exact`` says whether more rows matched."""

    def __init__(self, object_list: Any, per_page: Any, *args: Any, max_count: int = 10_000, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.max_count = max_count

    @cached_property
    def _bounded_count(self) -> int:
        # The catalog paginates querysets: slicing keeps it one SQL statement.
        # One row past the cap tells "exactly max_count" from "more". Without
        # the ordering: any max_count + 1 matches will do, so the database
        # stops at the last of them instead of sorting every match first
        # (a sliced queryset keeps its ORDER BY in the count's subquery).
        queryset = cast(Any, self.object_list)
        return int(queryset.order_by()[: self.max_count + 1].count())

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.max_count)

    @property
    def count_is_exact(self) -> bool:
        return self._bounded_count <= self.max_count

    def _count_known(self) -> bool:
        return "_bounded_count" in self.__dict__

    def _know_count(self, total: int) -> None:
        self.__dict__["_bounded_count"] = total

    def validate_number(self, number: Any) -> int:
        try:
            return super().validate_number(number)
        except EmptyPage:
            # Below 1 (or past an exact count) keeps Django's reason.
            if self.count_is_exact or int(number) < 1:
                raise
            raise EmptyPage(
                _(
                    "That page is past the first %(max_count)d matching items: narrow the filters, "
                    "or page with a cursor (PAGINATION_CLASS)."
                )
                % {"max_count": self.max_count}
            ) from None


class CatalogCappedCountPagination(CatalogPageNumberPagination):
    """The default: ``?page=&page_size=`` whose ``count`` stops at
    ``BAZARY_CATALOG["MAX_COUNT"]`` (10,000). On a large catalog the exact
    ``COUNT(*)`` of every list request reads every matching row, this one at
    most ``MAX_COUNT + 1``. When more rows match, ``count`` is ``MAX_COUNT``
    and ``count_is_exact`` is false; pages past ``MAX_COUNT`` are a 404
    (narrow the filters, or use :class:`CatalogCursorPagination` to walk
    everything)."""

    # Django's reason after DRF's words: a page past the cap says so.
    invalid_page_message = _("Invalid page: {message}")  # type: ignore[assignment]

    count_description = _(
        "The number of matching items, counted up to the catalog's MAX_COUNT (10,000 by default): "
        "when more match, count is MAX_COUNT and count_is_exact is false, and pages past it are a 404."
    )

    @property
    def django_paginator_class(self) -> Any:  # type: ignore[override]
        return partial(CappedCountPaginator, max_count=self.app_settings.MAX_COUNT)

    def count_is_exact(self) -> bool:
        return bool(cast(Any, self.page).paginator.count_is_exact)
