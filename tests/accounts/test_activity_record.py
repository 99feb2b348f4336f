"""``bazary.accounts.activity.record``: one INSERT, the trusted client address, kinds from a registry."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bazary.accounts import activity
from bazary.accounts.activity import EventKind
from bazary.accounts.models import AccountEvent
from bazary.testing.accounts import UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def request_from(remote="203.0.113.7", forwarded=None, agent="Firefox/140"):
    extra = {"REMOTE_ADDR": remote, "HTTP_USER_AGENT": agent}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **extra)


def test_record_is_one_insert_and_stores_the_client(user):
    request = request_from()
    with CaptureQueriesContext(connection) as queries:
        event = activity.record(EventKind.PASSWORD_CHANGED, request=request, user=user, method="form")
    assert len(queries) == 1
    assert queries[0]["sql"].upper().startswith("INSERT")
    row = AccountEvent.objects.get()
    assert row.pk == event.pk
    assert (row.user, row.actor, row.kind, row.ip, row.user_agent, row.data) == (
        user,
        None,
        "password_changed",
        "203.0.113.7",
        "Firefox/140",
        {"method": "form"},
    )
    assert row.created_at is not None


def test_a_spoofed_forwarded_for_is_ignored_without_trusted_proxies(user):
    activity.record(EventKind.LOGGED_OUT, request=request_from(forwarded="198.51.100.1"), user=user)
    assert AccountEvent.objects.get().ip == "203.0.113.7"


def test_behind_one_trusted_proxy_the_address_it_saw_counts(settings, user):
    settings.BAZARY_CORE = {"NUM_PROXIES": 1}
    # The client sent "198.51.100.1" itself; the proxy appended the address it saw.
    activity.record(EventKind.LOGGED_OUT, request=request_from(remote="10.0.0.2", forwarded="198.51.100.1, 192.0.2.9"))
    assert AccountEvent.objects.get().ip == "192.0.2.9"


def test_the_user_agent_is_capped_and_printable(user):
    activity.record(EventKind.LOGGED_OUT, request=request_from(agent="A\x00B" + "x" * 1000), user=user)
    agent = AccountEvent.objects.get().user_agent
    assert agent.startswith("AB")
    assert len(agent) == 512


def test_an_anonymous_user_or_none_records_no_user():
    activity.record(EventKind.LOGIN_FAILED, user=AnonymousUser(), email="nobody@example.com")
    activity.record(EventKind.LOGIN_FAILED, email="nobody@example.com")
    assert list(AccountEvent.objects.values_list("user", "ip", flat=False)) == [(None, None), (None, None)]


def test_an_unknown_kind_is_refused_and_writes_nothing(user):
    with pytest.raises(ValueError, match="Unknown account event kind"):
        activity.record("pasword_changed", user=user)
    assert not AccountEvent.objects.exists()


def test_data_must_be_small_json(user):
    with pytest.raises(TypeError):
        activity.record(EventKind.LOGGED_OUT, user=user, when=object())
    with pytest.raises(ValueError, match="larger than"):
        activity.record(EventKind.LOGGED_OUT, user=user, blob="x" * activity.DATA_MAX_BYTES)
    assert not AccountEvent.objects.exists()


def test_apps_register_their_own_kinds(user):
    activity.register_kind("shop_loyalty_redeemed", "Loyalty points redeemed")
    try:
        activity.record("shop_loyalty_redeemed", user=user, points=10)
        assert activity.label("shop_loyalty_redeemed") == "Loyalty points redeemed"
        assert "shop_loyalty_redeemed" in activity.kinds()
    finally:
        activity._kinds.pop("shop_loyalty_redeemed")
    with pytest.raises(ValueError, match="at most 64"):
        activity.register_kind("x" * 65, "too long")


def test_the_mfa_kinds_are_built_in():
    for code in ("mfa_enabled", "mfa_disabled", "mfa_used", "mfa_failed", "recovery_code_used"):
        assert code in activity.kinds()
    assert {"passkey_added", "passkey_removed"} <= set(activity.kinds())


def test_record_many_is_one_bulk_insert(user, other_user):
    staff = UserFactory(is_staff=True)
    with CaptureQueriesContext(connection) as queries:
        activity.record_many(EventKind.ACCOUNT_DEACTIVATED, [user, other_user], actor=staff, client={"ip": "192.0.2.1"})
    assert len(queries) == 1
    assert sorted(AccountEvent.objects.values_list("user", "actor", "ip")) == sorted(
        [(user.pk, staff.pk, "192.0.2.1"), (other_user.pk, staff.pk, "192.0.2.1")]
    )


def test_a_client_dict_stands_in_for_the_request(user):
    client = activity.client_of(request_from(remote="2001:db8::1", agent="curl/8"))
    assert client == {"ip": "2001:db8::1", "user_agent": "curl/8"}
    activity.record(EventKind.PASSWORD_RESET_REQUESTED, user=user, client=client)
    assert AccountEvent.objects.get().ip == "2001:db8::1"
    # A REMOTE_ADDR that is not an address is stored as none, never as text.
    assert activity.client_of(request_from(remote="not-an-ip"))["ip"] is None


def test_deleting_the_account_anonymises_its_events(auth_client, user):
    activity.record(EventKind.PASSWORD_CHANGED, request=request_from(), user=user, method="form")
    response = auth_client.delete(reverse("bazary_accounts:me"), {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    event = AccountEvent.objects.get(kind=EventKind.PASSWORD_CHANGED)
    assert (event.user_id, event.ip, event.user_agent, event.data) == (user.pk, None, "", {})


def test_deleting_the_row_keeps_the_events_anonymised(user):
    staff = UserFactory(is_staff=True)
    activity.record(EventKind.LOGGED_OUT, request=request_from(), user=user, reason="x")
    activity.record(EventKind.ACCOUNT_DEACTIVATED, request=request_from(), user=user, actor=staff)
    user.delete()
    assert list(AccountEvent.objects.order_by("pk").values_list("user", "actor", "ip", "user_agent", "data")) == [
        (None, None, None, "", {}),
        (None, staff.pk, None, "", {}),
    ]
    staff.delete()
    assert AccountEvent.objects.count() == 2
