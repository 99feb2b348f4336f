"""Mount with ``path("api/", include("bazary.urls"))``.

Includes the URLs of the bazary apps that are installed, plus the OpenAPI
schema and its viewers. Each app's own ``urls.py`` can be mounted alone too.
"""

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path

from bazary.core.schema import RedocView, SchemaView, SwaggerView

urlpatterns: list[URLPattern | URLResolver] = []

if apps.is_installed("bazary.accounts"):
    urlpatterns.append(path("auth/", include("bazary.accounts.urls")))
if apps.is_installed("bazary.catalog"):
    urlpatterns.append(path("", include("bazary.catalog.urls")))
if apps.is_installed("bazary.orders"):
    urlpatterns.append(path("", include("bazary.orders.urls")))
if apps.is_installed("bazary.payments"):
    urlpatterns.append(path("", include("bazary.payments.urls")))
if apps.is_installed("bazary.notifications"):
    urlpatterns.append(path("notifications/", include("bazary.notifications.urls")))
if apps.is_installed("bazary.webhooks"):
    urlpatterns.append(path("webhooks/", include("bazary.webhooks.urls")))

urlpatterns += [
    path("schema/", SchemaView.as_view(), name="bazary-schema"),
    path("docs/", SwaggerView.as_view(), name="bazary-swagger-ui"),
    path("redoc/", RedocView.as_view(), name="bazary-redoc"),
]
