"""Staff import and export of the catalog over HTTP: ``products/export/``,
``products/import/`` and ``products/import/{id}/``."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bazary.core.tasks import enqueue
from bazary.core.views import BazaryAPIMixin, JSONRenderer

from ..exportimages import ImageURLs
from ..models import ImportJob, get_product_model
from ..schema import E401, E403, E404, WRITE_ERRORS
from ..serializers.imports import ImportJobSerializer, ImportUploadSerializer
from ..transfer import Exporter

EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


class ExportPermission(permissions.DjangoModelPermissions):
    """Staff with ``view_product``: an export holds cost prices and inactive
    products."""

    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}

    def has_permission(self, request: Request, view: Any) -> bool:
        from bazary.core.permissions import is_staff

        return is_staff(request) and super().has_permission(request, view)


class JSONOnlyNegotiation(BaseContentNegotiation):
    # ``?format=`` names the export's format, not a DRF renderer: errors are
    # always JSON.
    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None


class ProductExportView(BazaryAPIMixin, APIView):
    permission_classes = [ExportPermission]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnlyNegotiation
    pagination_class = None

    def get_queryset(self) -> Any:  # for DjangoModelPermissions
        return get_product_model()._default_manager.all()

    @extend_schema(
        summary=_("Export every product (CSV or JSON), streamed"),
        description=_(
            "Staff with the view permission of products. Every product, inactive ones and cost prices included, "
            "with its variants and images (absolute URLs), in the format bazary_import_products and products/import/ "
            "read back. Streamed in constant memory; CSV cells that a spreadsheet would take for a formula start "
            "with a quote."
        ),
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=list(EXPORT_FORMATS), required=False)],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
            400: OpenApiResponse(description=_("Unknown format.")),
            401: E401,
            403: E403,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        fmt = request.query_params.get("format", "csv")
        if fmt not in EXPORT_FORMATS:
            raise ValidationError({"format": [_("Choose csv or json.")]})
        name = f"products-{timezone.now():%Y%m%d-%H%M%S}.{fmt}"
        response = StreamingHttpResponse(
            # Image URLs the storage gives relative (/media/...) made absolute with the request.
            (chunk.encode() for chunk in Exporter(fmt, image_urls=ImageURLs(absolute=request.build_absolute_uri))),
            content_type=EXPORT_FORMATS[fmt],
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response


class ImportPermission(permissions.DjangoModelPermissions):
    """Staff with ``add_product``, to start an import and to follow it."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.add_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
    }

    def has_permission(self, request: Request, view: Any) -> bool:
        from bazary.core.permissions import is_staff

        return is_staff(request) and super().has_permission(request, view)


class ProductImportView(BazaryAPIMixin, APIView):
    permission_classes = [ImportPermission]
    parser_classes = [MultiPartParser]
    pagination_class = None

    def get_queryset(self) -> Any:  # for DjangoModelPermissions
        return get_product_model()._default_manager.all()

    @extend_schema(
        summary=_("Start a product import (CSV or JSON upload)"),
        description=_(
            "Staff with add_product. Multipart: file (UTF-8 CSV or JSON, at most IMPORT_MAX_BYTES) and format "
            "(csv, json or shopify; default from the extension). Answers 202 with the job (Location: its URL); "
            "the import runs in the background. Every row is validated first; any bad row fails the job with the line "
            "numbers and nothing is written; otherwise all rows are written in one transaction."
        ),
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportJobSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        from ..tasks import run_import_job

        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        job = ImportJob(
            format=serializer.validated_data["format"],
            file_name=(upload.name or "")[:255],
            user=request.user if request.user.is_authenticated else None,
        )
        job.file.save(upload.name or "import", upload, save=False)
        job.save()
        transaction.on_commit(lambda: enqueue(run_import_job, str(job.pk)))
        data = ImportJobSerializer(job, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class ProductImportJobView(BazaryAPIMixin, APIView):
    permission_classes = [ImportPermission]
    pagination_class = None

    def get_queryset(self) -> Any:  # for DjangoModelPermissions
        return get_product_model()._default_manager.all()

    @extend_schema(
        summary=_("An import job: status, progress and errors"),
        parameters=[OpenApiParameter("job_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: ImportJobSerializer, 401: E401, 403: E403, 404: E404},
    )
    def get(self, request: Request, job_id: str) -> Response:
        try:
            pk = uuid.UUID(str(job_id))
        except ValueError as exc:
            raise Http404 from exc
        job = ImportJob.objects.filter(pk=pk).first()
        if job is None:
            raise Http404
        return Response(ImportJobSerializer(job, context={"request": request}).data)
