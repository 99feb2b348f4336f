"""Pagination with page sizes from bazary settings, capped by ``MAX_PAGE_SIZE``."""

from __future__ import annotations

from rest_framework import pagination
from rest_framework.request import Request

from .conf import AppSettings, core_settings


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=``; an out-of-range page is a 404 (DRF's)."""

    app_settings: AppSettings = core_settings
    page_size_query_param = "page_size"

    def get_page_size(self, request: Request) -> int:
        self.page_size = self.app_settings.PAGE_SIZE
        self.max_page_size = self.app_settings.MAX_PAGE_SIZE
        return super().get_page_size(request) or self.page_size


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: deep pages cost the same as the first; no ``count``."""

    app_settings: AppSettings = core_settings
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-pk")

    def get_page_size(self, request: Request) -> int:
        self.page_size = self.app_settings.PAGE_SIZE
        self.max_page_size = self.app_settings.MAX_PAGE_SIZE
        return super().get_page_size(request) or self.page_size
