"""Every write endpoint under ``bazary.urls`` answers a hostile body with a 4xx.

The routes come from the URL conf, not from a list, so a view added later is
covered the day it is added: its parsers must be bazary's (asserted on the
resolved view) and the bodies below must never be a 5xx from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework import parsers as drf_parsers
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from bazary.accounts.sessions import issue_tokens
from bazary.core.parsers import FormParser, JSONParser, MultiPartParser, SafeParserMixin
from bazary.core.views import BazaryAPIMixin
from bazary.testing.accounts import AddressFactory, UserFactory
from bazary.testing.catalog import (
    CategoryFactory,
    OptionFactory,
    OptionValueFactory,
    ProductFactory,
    ProductImageFactory,
    TagFactory,
    VariantFactory,
)
from bazary.testing.notifications import NotificationFactory
from bazary.testing.webhooks import make_endpoint
from bazary.webhooks.models import Delivery, Event

WRITE_METHODS = ("post", "put", "patch", "delete")
DEEP = "[" * 100_000 + "]" * 100_000
BODIES = {
    "nested": (DEEP, "application/json"),
    "nul": ('{"name": "a\\u0000b", "data": {"k\\u0000": "\\ud800"}}', "application/json"),
    "form-nul": ("name=a%00b&slug=hostile", "application/x-www-form-urlencoded"),
}


def routes() -> Iterator[tuple[str, str, URLPattern]]:
    """(URL name with its namespaces, route text, pattern) of every route bazary mounts."""

    def walk(patterns: list[Any], namespace: str, prefix: str) -> Iterator[tuple[str, str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
            elif pattern.name:
                yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern), pattern

    # Mounted under api/ in the test project (tests/projects/urls.py).
    return walk(get_resolver("bazary.urls").url_patterns, "", "api/")


def view_methods(pattern: URLPattern) -> list[str]:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a viewset route: the methods its router mapped
        return [method for method in actions if method in WRITE_METHODS]
    cls = callback.cls  # type: ignore[attr-defined]
    allowed = getattr(cls, "http_method_names", APIView.http_method_names)
    return [method for method in WRITE_METHODS if method in allowed and hasattr(cls, method)]


WRITES = [(name, method, pattern) for name, _route, pattern in routes() for method in view_methods(pattern)]


def test_the_walk_finds_the_write_endpoints_of_every_app():
    names = {name for name, _method, _pattern in WRITES}
    # A sanity floor, so a broken walk cannot make the tests below vacuous.
    assert {
        "bazary_accounts:register",
        "bazary_accounts:address-detail",
        "bazary_catalog:category-list",
        "bazary_catalog:product-image-list",
        "bazary_notifications:preferences",
    } <= names
    assert len(WRITES) >= 30


@pytest.mark.parametrize(
    ("name", "pattern"),
    [(name, pattern) for name, _route, pattern in routes() if view_methods(pattern)],
    ids=[route for _name, route, pattern in routes() if view_methods(pattern)],
)
def test_every_write_view_parses_with_bazarys_parsers_only(name, pattern):
    cls = pattern.callback.cls
    assert issubclass(cls, BazaryAPIMixin), f"{cls.__qualname__} ({name}) does not build on BazaryAPIMixin"
    view = cls()
    parser_classes = [type(parser) for parser in view.get_parsers()]
    assert parser_classes, name
    unsafe = [p for p in parser_classes if not issubclass(p, SafeParserMixin)]
    assert unsafe == [], f"{name} parses with {unsafe}"


@pytest.fixture
def world(db, settings) -> Iterator[dict[str, Any]]:
    """One object behind every kind of URL parameter, owned by a superuser."""
    from bazary.testing.payments import FakeStripe

    stripe_api = FakeStripe().__enter__()
    keys = {"SECRET_KEY": "sk_test_1", "PUBLISHABLE_KEY": "pk_test_1", "WEBHOOK_SECRET": "whsec_1"}
    settings.BAZARY_PAYMENTS = {"PROVIDERS": {"stripe": {**keys, "API_BASE": stripe_api.url}}}
    admin = UserFactory(is_staff=True, is_superuser=True)
    category = CategoryFactory(slug="hostile")
    product = ProductFactory(slug="hostile", category=category)
    TagFactory(slug="hostile")
    image = ProductImageFactory(product=product)
    option = OptionFactory(name="Hostile", slug="hostile")
    variant = VariantFactory(product=product, values=[OptionValueFactory(option=option, name="hostile")])
    address = AddressFactory(user=admin)
    notification = NotificationFactory(recipient=admin)
    issue_tokens(admin)
    session = admin.outstandingtoken_set.get()
    from bazary.orders.models import Order

    order = Order.objects.create(
        number="HOST-ILE0", user=admin, email=admin.email, currency="USD", subtotal=0, shipping_price=0,
        shipping_tax=0, tax_total=0, total=0, payment_provider="bank_transfer",
    )  # fmt: skip
    endpoint, _secret = make_endpoint("https://hooks.example.com/in")
    delivery = Delivery.objects.create(event=Event.objects.create(type="ping"), endpoint=endpoint)
    yield {
        "number": order.number,
        "admin": admin,
        "pk": {
            "bazary_accounts:address-detail": address.pk,
            "bazary_accounts:session-detail": session.pk,
            "bazary_webhooks:endpoint-detail": endpoint.pk,
            "bazary_webhooks:endpoint-rotate-secret": endpoint.pk,
            "bazary_webhooks:endpoint-test": endpoint.pk,
            "bazary_webhooks:endpoint-delivery": delivery.pk,
            "bazary_webhooks:endpoint-redeliver": delivery.pk,
            "bazary_accounts:staff-user-detail": admin.pk,
            "bazary_accounts:staff-user-action": admin.pk,
            "bazary_accounts:staff-user-session": admin.pk,
        },
        "session": session.pk,
        "endpoint_pk": endpoint.pk,
        "default_pk": notification.pk,
        "image_id": image.pk,
        "variant_id": variant.pk,
    }
    stripe_api.__exit__()


def url_for(name: str, pattern: URLPattern, world: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    for param in pattern.pattern.regex.groupindex:
        if param == "slug":
            kwargs[param] = "hostile"
        elif param in ("image_id", "variant_id", "number", "endpoint_pk"):
            kwargs[param] = world[param]
        elif param == "provider":
            kwargs[param] = "stripe"
        elif param == "value_slug":
            kwargs[param] = "hostile"
        elif param == "action":  # auth/users/{id}/{action}/
            kwargs[param] = "unlock"
        elif param == "session":  # auth/users/{id}/sessions/{session}/
            kwargs[param] = world["session"]
        elif param == "pk":
            kwargs[param] = world["pk"].get(name, world["default_pk"])
        else:  # a new kind of parameter: give it a value above
            raise AssertionError(f"{name}: no value for URL parameter {param!r}")
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize(
    ("name", "method", "pattern"), WRITES, ids=[f"{method.upper()} {name}" for name, method, _p in WRITES]
)
def test_a_hostile_body_is_never_a_5xx(world, name, method, pattern, body):
    client = APIClient()
    client.force_authenticate(world["admin"])
    content, content_type = BODIES[body]
    response = getattr(client, method)(url_for(name, pattern, world), content, content_type=content_type)
    assert response.status_code < 500, (name, method, response.status_code, response.content[:300])


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("bazary_catalog:category-list", "post"),
        ("bazary_catalog:product-image-detail", "patch"),
        ("bazary_notifications:preferences", "put"),
        ("bazary_accounts:register", "post"),
        ("bazary_accounts:me", "patch"),
    ],
)
def test_the_views_that_named_drfs_parsers_refuse_deep_json_with_a_400(world, name, method):
    pattern = next(p for n, _route, p in routes() if n == name)
    client = APIClient()
    client.force_authenticate(world["admin"])
    response = getattr(client, method)(url_for(name, pattern, world), DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


class OnlyMultipart(BazaryAPIMixin, APIView):
    parser_classes = [drf_parsers.MultiPartParser, drf_parsers.FormParser, drf_parsers.JSONParser]


def test_drfs_parsers_named_on_a_view_are_replaced_by_bazarys():
    view = OnlyMultipart()
    assert [type(p) for p in view.get_parsers()] == [MultiPartParser, FormParser, JSONParser]


def test_a_parser_that_is_not_bazarys_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    class Unsafe(BazaryAPIMixin, APIView):
        parser_classes = [drf_parsers.FileUploadParser]

    with pytest.raises(ImproperlyConfigured, match="SafeParserMixin"):
        Unsafe().get_parsers()


def test_form_and_multipart_values_with_nul_are_a_400():
    factory = APIRequestFactory()
    view = OnlyMultipart()
    for request in (
        factory.post("/", "name=a%00b", content_type="application/x-www-form-urlencoded"),
        factory.post("/", {"name": "a\x00b"}, format="multipart"),
    ):
        drf_request = view.initialize_request(request)
        with pytest.raises(ParseError, match="NUL"):
            drf_request.data  # noqa: B018
