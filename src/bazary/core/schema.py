"""The OpenAPI schema and its two viewers, served with local assets only.

Swagger UI and ReDoc always load from ``drf-spectacular-sidecar`` (static files
shipped on PyPI), whatever ``SPECTACULAR_SETTINGS`` says, so the docs work
without a CDN and without any setting in the project. Nothing on those pages
reaches another host:

- ReDoc is rendered from bazary's template, which drops the Google Fonts links
  of drf-spectacular's (ReDoc falls back to the system's fonts);
- Swagger UI's online validator (which sends the schema's URL to
  validator.swagger.io) is off unless ``SWAGGER_UI_SETTINGS`` sets
  ``validatorUrl``;
- both pages are sent with a Content-Security-Policy that lets them load only
  from the site and its static files, which also stops the Redocly logo that
  the ReDoc bundle itself would fetch from cdn.redoc.ly.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from drf_spectacular.settings import spectacular_settings
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


def sidecar_url(path: str) -> str:
    return str(_get_sidecar_url(path))


def docs_content_security_policy() -> str:
    """The site and its static files only (their host too, if ``STATIC_URL`` names one)."""
    sources = ["'self'"]
    static = urlsplit(sidecar_url("redoc/bundles/redoc.standalone.js"))
    if static.scheme and static.netloc:
        sources.append(f"{static.scheme}://{static.netloc}")
    own = " ".join(sources)
    return "; ".join(
        [
            f"default-src {own}",
            # The viewers' inline start-up script and the styles they inject.
            f"script-src {own} 'unsafe-inline'",
            f"style-src {own} 'unsafe-inline'",
            f"img-src {own} data:",
            f"font-src {own} data:",
            "connect-src 'self'",  # the schema and "try it out", on this site
            f"worker-src {own} blob:",  # ReDoc's search runs in a worker it builds
        ]
    )


class LocalOnlyMixin:
    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        response.headers.setdefault("Content-Security-Policy", docs_content_security_policy())
        return response


class SchemaView(SpectacularAPIView):
    custom_settings = SCHEMA_SETTINGS

    # The schema documents the API, not itself.
    @extend_schema(exclude=True)
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class SwaggerView(LocalOnlyMixin, SpectacularSwaggerView):
    url_name = "bazary-schema"
    title = "bazary API"

    @extend_schema(exclude=True)
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        ui_settings = spectacular_settings.SWAGGER_UI_SETTINGS
        if isinstance(ui_settings, dict):  # a string is the project's own JavaScript
            response.data["settings"] = json.dumps({"validatorUrl": None, **ui_settings}, indent=2)
        return response

    @staticmethod
    def _swagger_ui_resource(filename: str) -> str:
        return sidecar_url(f"swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon() -> str:
        return sidecar_url("swagger-ui-dist/favicon-32x32.png")


class RedocView(LocalOnlyMixin, SpectacularRedocView):
    url_name = "bazary-schema"
    title = "bazary API"
    template_name = "bazary/core/redoc.html"

    @staticmethod
    def _redoc_standalone() -> str:
        return sidecar_url("redoc/bundles/redoc.standalone.js")
