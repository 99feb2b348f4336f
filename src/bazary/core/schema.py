"""The OpenAPI schema and its two viewers, served with local assets.

Swagger UI and ReDoc always load from ``drf-spectacular-sidecar`` (static files
shipped on PyPI), whatever ``SPECTACULAR_SETTINGS`` says, so the docs work
without a CDN and without any setting in the project.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
    _get_sidecar_url,
)

import bazary

SCHEMA_SETTINGS: dict[str, Any] = {
    "TITLE": "bazary API",
    "DESCRIPTION": "Product catalog, JWT accounts and notifications.",
    "VERSION": bazary.__version__,
    "SCHEMA_PATH_PREFIX": None,
    "COMPONENT_SPLIT_REQUEST": True,
}


class SchemaView(SpectacularAPIView):
    custom_settings = SCHEMA_SETTINGS

    # The schema documents the API, not itself.
    @extend_schema(exclude=True)
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class SwaggerView(SpectacularSwaggerView):
    url_name = "bazary-schema"
    title = "bazary API"

    @staticmethod
    def _swagger_ui_resource(filename: str) -> str:
        return str(_get_sidecar_url(f"swagger-ui-dist/{filename}"))

    @staticmethod
    def _swagger_ui_favicon() -> str:
        return str(_get_sidecar_url("swagger-ui-dist/favicon-32x32.png"))


class RedocView(SpectacularRedocView):
    url_name = "bazary-schema"
    title = "bazary API"

    @staticmethod
    def _redoc_standalone() -> str:
        return str(_get_sidecar_url("redoc/bundles/redoc.standalone.js"))
