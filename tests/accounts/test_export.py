"""GET auth/me/export/: everything bazary stores about the caller, a section per installed app."""

import json

import pytest
from django.test import override_settings

from bazary.catalog.models import StockAlert
from bazary.core.exports import AlreadyRegistered, registry
from bazary.notifications.api import notify
from bazary.notifications.preferences import set_preferences
from bazary.testing.accounts import AddressFactory, UserFactory
from bazary.testing.catalog import ProductFactory
from bazary.testing.orders import place_test_order

from .conftest import bearer, login

pytestmark = pytest.mark.django_db
URL = "/api/auth/me/export/"


def _fill(user, n):
    """``n`` of everything: addresses, logins, notifications, stock alerts, orders."""
    for _ in range(n):
        AddressFactory(user=user, country="FR")
        notify(user, "catalog.back_in_stock", {"product_name": "x"})
        product = ProductFactory(stock=5)
        StockAlert.objects.create(user=user, product=product)
        place_test_order([(product, 1)], user=user)


def test_the_export_has_every_installed_apps_section(api_client, user):
    user.phone = "+33612345678"
    user.save()
    AddressFactory(user=user, country="FR", line1="1 rue de la Paix")
    access = login(api_client, user.email, HTTP_USER_AGENT="Firefox/140")["access"]
    notify(user, "catalog.back_in_stock", {"product_name": "Lamp", "product_url": "https://shop.example/lamp"})
    set_preferences(user, [{"kind": "catalog.back_in_stock", "channel": "email", "enabled": False}])
    lamp = ProductFactory(name="Lamp", stock=0)
    StockAlert.objects.create(user=user, product=lamp)
    order = place_test_order([(ProductFactory(stock=3), 2)], user=user)

    response = bearer(access).get(URL)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert {
        "exported_at",
        "profile",
        "addresses",
        "sessions",
        "notifications",
        "notification_deliveries",
        "notification_preferences",
        "stock_alerts",
        "orders",
    } <= set(body)

    profile = body["profile"]
    assert profile["email"] == user.email
    assert profile["first_name"] == "Ada"
    assert profile["phone"] == "+33612345678"
    assert "password" not in profile
    assert profile["groups"] == []

    (address,) = body["addresses"]
    assert (address["line1"], address["country"]) == ("1 rue de la Paix", "FR")
    (session,) = body["sessions"]
    assert session["user_agent"] == "Firefox/140"
    assert session["revoked_at"] is None

    (notification,) = body["notifications"]
    assert notification["kind"] == "catalog.back_in_stock"
    assert "Lamp" in notification["title"] + notification["body"]
    assert {d["kind"] for d in body["notification_deliveries"]} >= {"catalog.back_in_stock"}
    row = next(
        r for r in body["notification_preferences"] if (r["kind"], r["channel"]) == ("catalog.back_in_stock", "email")
    )
    assert row["enabled"] is False

    (alert,) = body["stock_alerts"]
    assert (alert["product"], alert["product_name"]) == (lamp.slug, "Lamp")

    (exported,) = body["orders"]
    assert exported["number"] == order.number
    assert exported["total"] == str(order.total)  # money as a decimal string
    assert len(exported["lines"]) == 1


def test_the_export_holds_only_the_callers_data(auth_client, user):
    stranger = UserFactory(first_name="Eve")
    _fill(stranger, 1)
    body = auth_client.get(URL).json()
    text = json.dumps(body)
    assert stranger.email not in text
    assert body["addresses"] == body["stock_alerts"] == body["orders"] == body["notifications"] == []


@pytest.mark.parametrize("n", [1, 8])
def test_the_export_runs_a_bounded_number_of_queries(auth_client, user, n, django_assert_max_num_queries):
    _fill(user, n)
    # A fixed number whatever n: the request's own (the user, its login), then about one per section.
    with django_assert_max_num_queries(14):  # 12, and the mfa section's two (its TOTP device, its passkeys)
        response = auth_client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert len(body["orders"]) == len(body["addresses"]) == len(body["stock_alerts"]) == n


def test_the_export_needs_a_login(api_client):
    assert api_client.get(URL).status_code == 401


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"export": "2/hour"}})
def test_the_export_is_throttled_per_user(auth_client):
    assert auth_client.get(URL).status_code == 200
    assert auth_client.get(URL).status_code == 200
    refused = auth_client.get(URL)
    assert refused.status_code == 429
    assert "Retry-After" in refused


def test_a_project_adds_its_own_section(auth_client, user):
    def loyalty(member):
        return {"points": 42, "member": member.pk}

    registry.register("loyalty", loyalty)
    try:
        assert auth_client.get(URL).json()["loyalty"] == {"points": 42, "member": user.pk}
        with pytest.raises(AlreadyRegistered):
            registry.register("loyalty", lambda member: None)
        registry.register("loyalty", loyalty)  # the same contributor again: harmless
    finally:
        registry.unregister("loyalty")
    assert "loyalty" not in auth_client.get(URL).json()


def _client_event(kind, user, agent="Mozilla/5.0 (Ada's laptop)", **data):
    from bazary.accounts import activity

    return activity.record(kind, user=user, client={"ip": "198.51.100.7", "user_agent": agent}, **data)


def test_the_export_has_the_activity_log(auth_client, user):
    from bazary.accounts.activity import EventKind

    staff = UserFactory(is_staff=True)
    _client_event(EventKind.PASSWORD_CHANGED, user)
    from bazary.accounts import activity

    activity.record(EventKind.SESSIONS_REVOKED, user=user, actor=staff)
    _client_event(EventKind.PASSWORD_CHANGED, staff)  # another account's: not in it
    events = auth_client.get(URL).json()["activity"]
    kinds = [(e["kind"], e["by_staff"]) for e in events]
    assert (EventKind.PASSWORD_CHANGED, False) in kinds
    assert (EventKind.SESSIONS_REVOKED, True) in kinds
    assert len([e for e in events if e["kind"] == EventKind.PASSWORD_CHANGED]) == 1
    assert staff.email not in json.dumps(events)  # the staff member is not named
    mine = next(e for e in events if e["kind"] == EventKind.PASSWORD_CHANGED)
    assert (mine["ip"], mine["user_agent"]) == ("198.51.100.7", "Mozilla/5.0 (Ada's laptop)")


def test_account_deletion_leaves_no_personal_data_in_the_activity_log(auth_client, user):
    from bazary.accounts.activity import EventKind
    from bazary.accounts.models import AccountEvent

    email = user.email
    # Before the account existed (or by someone trying the address): a failed sign-in naming it, unlinked.
    _client_event(EventKind.LOGIN_FAILED, None, email=email, reason="credentials")
    _client_event(EventKind.LOGIN_FAILED, None, "curl/8", email="someone-else@example.com", reason="credentials")
    _client_event(EventKind.LOGIN_FAILED, user, email=email, reason="credentials")
    _client_event(EventKind.PASSWORD_CHANGED, user)
    from .conftest import PASSWORD

    assert auth_client.delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    remaining = list(AccountEvent.objects.values("user_id", "ip", "user_agent", "data"))
    text = json.dumps(remaining, default=str)
    assert email not in text
    assert "Ada's laptop" not in text
    assert not [e for e in remaining if e["user_id"] == user.pk and e["ip"]]
    # Another address's event is kept as it was.
    assert AccountEvent.objects.filter(data__email="someone-else@example.com", ip="198.51.100.7").exists()
