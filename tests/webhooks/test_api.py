"""The staff API: permission matrix, secrets shown once, deliveries, redelivery, pings."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from bazary.testing.webhooks import Receiver, Reply, make_endpoint
from bazary.webhooks.models import Delivery, Endpoint, Event

ENDPOINT_PERMS = ("view_endpoint", "add_endpoint", "change_endpoint", "delete_endpoint")
DELIVERY_PERMS = ("view_delivery", "add_delivery")


@pytest.fixture
def make_user(django_user_model):
    counter = iter(range(1000))

    def make(*, staff=False, perms=()):
        user = django_user_model.objects.create_user(
            email=f"u{next(counter)}@example.com", password="x-long-password-1", is_staff=staff
        )
        for codename in perms:
            user.user_permissions.add(
                Permission.objects.get(codename=codename, content_type__app_label="bazary_webhooks")
            )
        return user

    return make


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def admin_client(make_user):
    return client_for(make_user(staff=True, perms=ENDPOINT_PERMS + DELIVERY_PERMS))


def paths(endpoint_id, delivery_id):
    base = f"/api/webhooks/endpoints/{endpoint_id}/"
    return [
        ("get", "/api/webhooks/endpoints/", "view_endpoint"),
        ("post", "/api/webhooks/endpoints/", "add_endpoint"),
        ("get", base, "view_endpoint"),
        ("patch", base, "change_endpoint"),
        ("post", f"{base}rotate-secret/", "change_endpoint"),
        ("post", f"{base}test/", "change_endpoint"),
        ("get", f"{base}deliveries/", "view_delivery"),
        ("get", f"{base}deliveries/{delivery_id}/", "view_delivery"),
        ("post", f"{base}deliveries/{delivery_id}/redeliver/", "add_delivery"),
        ("delete", base, "delete_endpoint"),  # last: it takes the endpoint away
    ]


@pytest.mark.django_db
def test_permission_matrix(make_user, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    endpoint, _ = make_endpoint("https://hooks.example.com/in")
    event = Event.objects.create(type="ping", payload={})
    delivery = Delivery.objects.create(event=event, endpoint=endpoint)
    body = {"url": "https://hooks.example.com/other", "event_types": ["*"]}
    customer = make_user()
    bare_staff = make_user(staff=True)
    permitted_non_staff = make_user(perms=ENDPOINT_PERMS + DELIVERY_PERMS)
    for method, path, perm in paths(endpoint.pk, delivery.pk):
        data = body if (method == "post" and path.endswith("endpoints/")) or method == "patch" else None
        assert getattr(client_for(), method)(path, data, format="json").status_code == 401, path
        for user in (customer, bare_staff, permitted_non_staff):
            assert getattr(client_for(user), method)(path, data, format="json").status_code == 403, (path, user)
        # Staff with every permission but this one: 403.
        others = tuple(p for p in ENDPOINT_PERMS + DELIVERY_PERMS if p != perm)
        assert (
            getattr(client_for(make_user(staff=True, perms=others)), method)(path, data, format="json").status_code
            == 403
        ), path
        allowed = getattr(client_for(make_user(staff=True, perms=(perm,))), method)(path, data, format="json")
        assert allowed.status_code in (200, 201, 202, 204), (path, allowed.status_code, allowed.content)


@pytest.mark.django_db
def test_create_shows_the_secret_once(admin_client):
    answer = admin_client.post(
        "/api/webhooks/endpoints/",
        {
            "url": "https://hooks.example.com/in",
            "event_types": ["product.created", "stock.changed"],
            "description": "ERP",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    secret = answer.json()["secret"]
    assert secret.startswith("whsec_")
    endpoint = Endpoint.objects.get()
    assert endpoint.signing_secrets() == [secret]
    detail = admin_client.get(f"/api/webhooks/endpoints/{endpoint.pk}/").json()
    assert "secret" not in detail
    assert secret not in str(detail)
    assert secret not in str(admin_client.get("/api/webhooks/endpoints/").json())
    assert detail["event_types"] == ["product.created", "stock.changed"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://hooks.example.com/in", "event_types": ["*"]}, "url"),
        ({"url": "ftp://hooks.example.com/in", "event_types": ["*"]}, "url"),
        ({"url": "https://user:pw@hooks.example.com/in", "event_types": ["*"]}, "url"),
        ({"url": "not a url", "event_types": ["*"]}, "url"),
        ({"url": "https://hooks.example.com/in", "event_types": ["product.exploded"]}, "event_types"),
        ({"url": "https://hooks.example.com/in", "event_types": []}, "event_types"),
        ({"url": "https://hooks.example.com/in", "event_types": "product.created"}, "event_types"),
        ({"url": "https://hooks.example.com/in", "event_types": ["x" * 101]}, "event_types"),
    ],
)
def test_bad_input_is_a_400(admin_client, body, field):
    answer = admin_client.post("/api/webhooks/endpoints/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()
    assert not Endpoint.objects.exists()


@pytest.mark.django_db
def test_plain_http_only_with_private_networks_allowed(admin_client, settings):
    settings.BAZARY_WEBHOOKS = {"ALLOW_PRIVATE_NETWORKS": True}
    answer = admin_client.post(
        "/api/webhooks/endpoints/", {"url": "http://10.0.0.5/in", "event_types": ["*"]}, format="json"
    )
    assert answer.status_code == 201


@pytest.mark.django_db
def test_rotate_secret(admin_client):
    endpoint, old = make_endpoint("https://hooks.example.com/in")
    answer = admin_client.post(f"/api/webhooks/endpoints/{endpoint.pk}/rotate-secret/")
    assert answer.status_code == 200
    new = answer.json()["secret"]
    assert new != old
    assert answer.json()["previous_secret_expires_at"]
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets() == [new, old]


@pytest.mark.django_db
def test_turning_an_endpoint_on_again_resets_its_failures(admin_client):
    endpoint, _ = make_endpoint("https://hooks.example.com/in", is_active=False, consecutive_failures=5)
    answer = admin_client.patch(f"/api/webhooks/endpoints/{endpoint.pk}/", {"is_active": True}, format="json")
    assert answer.status_code == 200
    assert answer.json()["consecutive_failures"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [2, 10])
def test_deliveries_list_in_fixed_queries(admin_client, django_assert_max_num_queries, page_size):
    endpoint, _ = make_endpoint("https://hooks.example.com/in")
    other, _ = make_endpoint("https://hooks.example.com/other")
    for number in range(12):
        event = Event.objects.create(type="ping", payload={"n": number})
        delivery = Delivery.objects.create(event=event, endpoint=endpoint, attempts=2)
        delivery.attempt_log.create(number=1, status_code=500, error="HTTP 500")
        delivery.attempt_log.create(number=2, status_code=200)
        Delivery.objects.create(event=event, endpoint=other)
    with django_assert_max_num_queries(7):
        answer = admin_client.get(f"/api/webhooks/endpoints/{endpoint.pk}/deliveries/?page_size={page_size}")
    data = answer.json()
    assert answer.status_code == 200
    assert data["count"] == 12
    assert len(data["results"]) == page_size
    first = data["results"][0]
    assert first["event"]["type"] == "ping"
    assert [a["number"] for a in first["attempt_log"]] == [1, 2]


@pytest.mark.django_db
def test_another_endpoints_delivery_and_bad_ids_are_404(admin_client):
    endpoint, _ = make_endpoint("https://hooks.example.com/in")
    other, _ = make_endpoint("https://hooks.example.com/other")
    delivery = Delivery.objects.create(event=Event.objects.create(type="ping"), endpoint=other)
    base = f"/api/webhooks/endpoints/{endpoint.pk}/deliveries/"
    assert admin_client.get(f"{base}{delivery.pk}/").status_code == 404
    assert admin_client.post(f"{base}{delivery.pk}/redeliver/").status_code == 404
    for bad in ("abc", "-1", "99999999999999999999", "1.5"):
        assert admin_client.get(f"/api/webhooks/endpoints/{bad}/").status_code == 404
        assert admin_client.get(f"/api/webhooks/endpoints/{bad}/deliveries/").status_code == 404
        assert admin_client.get(f"{base}{bad}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_ping_and_redeliver_reach_the_receiver(admin_client, settings):
    settings.BAZARY_WEBHOOKS = {"ALLOW_PRIVATE_NETWORKS": True}
    with Receiver([Reply(200)]) as receiver:
        endpoint, secret = make_endpoint(receiver.url, ["product.created"])
        answer = admin_client.post(f"/api/webhooks/endpoints/{endpoint.pk}/test/")
        assert answer.status_code == 202
        # The immediate backend runs the task after the response: it is there now.
        assert receiver.received[0].verify(secret)["type"] == "ping"
        delivery = Delivery.objects.get()
        again = admin_client.post(f"/api/webhooks/endpoints/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/")
        assert again.status_code == 202
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    assert Delivery.objects.count() == 2
