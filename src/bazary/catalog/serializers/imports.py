"""Import jobs: the upload of ``POST products/import/`` and a job's state."""

from __future__ import annotations

import os
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..conf import catalog_settings
from ..imports import FORMATS, UnreadableFile, decode, progress_of
from ..models import ImportJob


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("The CSV or JSON file (UTF-8), at most IMPORT_MAX_BYTES."))
    format = serializers.ChoiceField(
        choices=FORMATS, required=False, help_text=_("Default: from the file's extension (csv).")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        upload = attrs["file"]
        limit = catalog_settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise serializers.ValidationError(
                {"file": [_("The file is larger than %(limit)d bytes.") % {"limit": limit}]}
            )
        try:
            decode(upload.read())
        except UnreadableFile as exc:
            raise serializers.ValidationError({"file": [str(exc)]}) from exc
        upload.seek(0)
        if "format" not in attrs:
            extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
            attrs["format"] = extension if extension in ("csv", "json") else "csv"
        return attrs


class ImportProgressSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(
        choices=["validating", "images", "writing", "done", "failed", "pending"],
        help_text=_(
            "validating: rows checked so far; images: image URLs downloaded so far; "
            "writing: rows written so far (in one transaction)."
        ),
    )
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)


class ImportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    # Text, not an enum: a "status" enum would collide in the schema with the
    # other apps' status fields (drf-spectacular W001).
    status = serializers.CharField(read_only=True, help_text=_("pending, running, succeeded or failed."))
    progress = serializers.SerializerMethodField()
    created = serializers.IntegerField(source="created_count", read_only=True)
    updated = serializers.IntegerField(source="updated_count", read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "status",
            "format",
            "file_name",
            "progress",
            "created",
            "updated",
            "errors",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_url(self, job: ImportJob) -> str:
        path = reverse("bazary_catalog:product-import-detail", kwargs={"job_id": job.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, job: ImportJob) -> dict[str, Any]:
        return progress_of(job)
