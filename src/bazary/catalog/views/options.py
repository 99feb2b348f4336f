"""Options ("Size") and their values ("S", "M"): anyone reads, staff with the
model permissions write."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, ProtectedError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from bazary.core.views import BazaryAPIMixin

from .. import serializers as s
from ..exceptions import Conflict
from ..models import Option, OptionValue
from ..pagination import CatalogPageNumberPagination
from ..schema import CRUD_ERRORS, ERR_409, CatalogAutoSchema
from .common import CatalogPermissionMixin, SlugLookupMixin, guard_lookup

IN_USE = _("Variants use this option or value; change them first.")


def destroy_unless_in_use(instance: Any) -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as exc:
        raise Conflict(IN_USE, code="in_use") from exc


@extend_schema_view(
    list=extend_schema(summary=_("List options with their values")),
    retrieve=extend_schema(summary=_("An option with its values")),
    create=extend_schema(summary=_("Create an option")),
    update=extend_schema(summary=_("Replace an option")),
    partial_update=extend_schema(summary=_("Update an option")),
    destroy=extend_schema(summary=_("Delete an option"), description=_("409 while variants use its values.")),
)
class OptionViewSet(CatalogPermissionMixin, SlugLookupMixin, BazaryAPIMixin, viewsets.ModelViewSet):
    schema = CatalogAutoSchema()
    error_responses = {**CRUD_ERRORS, "destroy": {**CRUD_ERRORS["destroy"], 409: ERR_409}}
    serializer_class = s.OptionSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    queryset = Option.objects.all()
    filter_backends: Any = []
    pagination_class = CatalogPageNumberPagination

    def get_queryset(self) -> Any:
        values = OptionValue.objects.order_by("position", "pk")
        return Option.objects.prefetch_related(Prefetch("values", queryset=values)).order_by("position", "name", "pk")

    def perform_destroy(self, instance: Any) -> None:
        destroy_unless_in_use(instance)


@extend_schema_view(
    list=extend_schema(summary=_("List an option's values")),
    retrieve=extend_schema(summary=_("An option value")),
    create=extend_schema(summary=_("Add a value to an option")),
    update=extend_schema(summary=_("Replace an option value")),
    partial_update=extend_schema(summary=_("Update an option value")),
    destroy=extend_schema(summary=_("Delete an option value"), description=_("409 while variants use it.")),
)
class OptionValueViewSet(CatalogPermissionMixin, BazaryAPIMixin, viewsets.ModelViewSet):
    schema = CatalogAutoSchema()
    error_responses = {**CRUD_ERRORS, "destroy": {**CRUD_ERRORS["destroy"], 409: ERR_409}}
    serializer_class = s.OptionValueSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "value_slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    queryset = OptionValue.objects.all()
    filter_backends: Any = []
    pagination_class = CatalogPageNumberPagination

    def option(self) -> Option:
        if not hasattr(self, "_option"):
            self._option = get_object_or_404(Option, slug=guard_lookup(self.kwargs.get("slug")))
        return self._option

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return OptionValue.objects.none()
        if "value_slug" in self.kwargs:
            self.kwargs["value_slug"] = guard_lookup(self.kwargs["value_slug"])
        return OptionValue.objects.filter(option=self.option()).order_by("position", "pk")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["option"] = self.option()
        return context

    def perform_destroy(self, instance: Any) -> None:
        destroy_unless_in_use(instance)
