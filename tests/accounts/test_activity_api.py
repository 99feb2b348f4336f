"""``GET auth/activity/``, the new sign-in email and the retention of the log."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from bazary.accounts import activity
from bazary.accounts.activity import EventKind, new_device, retention
from bazary.accounts.models import AccountEvent
from bazary.notifications.models import Preference
from bazary.testing.accounts import UserFactory

from .conftest import PASSWORD, bearer, emails_to

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.0 Mobile/15E148 Safari/604.1"
)
NO_THROTTLES = {"THROTTLE_RATES": {"login": None}}


def sign_in(user, ip="198.51.100.23", agent=FIREFOX):
    client = APIClient(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    response = client.post("/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def event(user, kind=EventKind.PASSWORD_CHANGED, days_ago=0, **data):
    row = activity.record(kind, user=user, client={"ip": "192.0.2.1", "user_agent": "test"}, **data)
    if days_ago:
        AccountEvent.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return row


# -- GET auth/activity/ ------------------------------------------------------------


def test_anonymous_gets_401(api_client):
    assert api_client.get("/api/auth/activity/").status_code == 401


def test_own_events_only_newest_first(auth_client, user, other_user):
    old = event(user, EventKind.PASSWORD_CHANGED, days_ago=2)
    new = event(user, EventKind.EMAIL_VERIFIED, days_ago=1)
    event(other_user)
    body = auth_client.get("/api/auth/activity/").json()
    # The sign-in of the auth_client fixture is the newest.
    assert [item["kind"] for item in body["results"]] == ["login_succeeded", "email_verified", "password_changed"]
    assert body["count"] == 3
    item = body["results"][2]
    assert item == {
        "id": old.pk,
        "kind": "password_changed",
        "title": "Password changed",
        "created_at": item["created_at"],
        "ip": "192.0.2.1",
        "user_agent": "test",
        "data": {},
        "by_staff": False,
    }
    assert body["results"][1]["id"] == new.pk


def test_staff_actions_show_as_by_staff_without_naming_the_staff_member(auth_client, user):
    staff = UserFactory(is_staff=True, email="admin@shop.example")
    activity.record(EventKind.ACCOUNT_REACTIVATED, user=user, actor=staff)
    item = auth_client.get("/api/auth/activity/", {"kind": "account_reactivated"}).json()["results"][0]
    assert item["by_staff"] is True
    assert "admin@shop.example" not in str(item)


def test_filter_by_kind_and_time(auth_client, user):
    event(user, EventKind.PASSWORD_CHANGED, days_ago=10)
    event(user, EventKind.PASSWORD_CHANGED, days_ago=3)
    event(user, EventKind.EMAIL_VERIFIED, days_ago=3)

    def kinds(**params):
        return [i["kind"] for i in auth_client.get("/api/auth/activity/", params).json()["results"]]

    assert kinds(kind="password_changed") == ["password_changed", "password_changed"]
    assert sorted(kinds(kind=["password_changed", "email_verified"])) == [
        "email_verified",
        "password_changed",
        "password_changed",
    ]
    since = (timezone.now() - timedelta(days=5)).isoformat()
    until = (timezone.now() - timedelta(days=1)).isoformat()
    assert sorted(kinds(since=since, until=until)) == ["email_verified", "password_changed"]
    assert kinds(until=(timezone.now() - timedelta(days=7)).isoformat()) == ["password_changed"]


@pytest.mark.parametrize(
    "params", [{"kind": "nope"}, {"since": "yesterday"}, {"until": "2026-13-45T00:00:00"}, {"page_size": "1e1000"}]
)
def test_bad_filters_are_400_or_ignored_never_500(auth_client, params):
    response = auth_client.get("/api/auth/activity/", params)
    assert response.status_code in (200, 400)
    if "page_size" not in params:
        assert response.status_code == 400
        assert set(response.json()) == set(params)


@pytest.mark.parametrize("page_size", [1, 100])
def test_query_budget(auth_client, user, page_size, django_assert_max_num_queries):
    AccountEvent.objects.bulk_create(
        [AccountEvent(user=user, kind=EventKind.LOGIN_FAILED, data={"email": user.email}) for _ in range(120)]
    )
    # Authentication (one, with the login check), the count, the page.
    with django_assert_max_num_queries(3):
        response = auth_client.get("/api/auth/activity/", {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


# -- the new sign-in email --------------------------------------------------------------


def new_sign_in_mails(user):
    return [m for m in emails_to(user.email) if m.subject == "New sign-in to your account"]


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLES)
def test_the_first_sign_in_and_a_known_device_send_nothing(user):
    sign_in(user)
    sign_in(user, ip="198.51.100.99")  # the same network (/24), the same browser
    assert new_sign_in_mails(user) == []


@override_settings(BAZARY_ACCOUNTS={**NO_THROTTLES, "SESSIONS_URL": "https://shop.example/account/sessions"})
def test_a_new_device_gets_the_email(user):
    sign_in(user)
    mail.outbox.clear()
    sign_in(user, ip="203.0.113.50", agent=SAFARI)
    (message,) = new_sign_in_mails(user)
    assert "Mobile Safari 18 on iOS 18" in message.body
    assert "203.0.113.0/24" in message.body
    assert "https://shop.example/account/sessions" in message.body
    when = AccountEvent.objects.filter(kind=EventKind.LOGIN_SUCCEEDED).latest("pk").created_at
    assert f"{when:%Y-%m-%d %H:%M} UTC" in message.body


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLES)
def test_the_same_browser_from_another_network_is_new(user):
    sign_in(user)
    sign_in(user, ip="192.0.2.7")
    assert len(new_sign_in_mails(user)) == 1


@override_settings(BAZARY_ACCOUNTS={**NO_THROTTLES, "NEW_DEVICE_WINDOW_DAYS": 30})
def test_a_device_not_seen_within_the_window_is_new_again(user):
    sign_in(user)
    AccountEvent.objects.update(created_at=timezone.now() - timedelta(days=31))
    sign_in(user)
    assert len(new_sign_in_mails(user)) == 1


@override_settings(BAZARY_ACCOUNTS=NO_THROTTLES)
def test_users_can_turn_the_notice_off(user):
    Preference.objects.create(user=user, kind="accounts.new_sign_in", channel="email", enabled=False)
    sign_in(user)
    sign_in(user, ip="203.0.113.50", agent=SAFARI)
    assert new_sign_in_mails(user) == []


def test_network_and_device_names():
    assert new_device.network_of("2001:db8:1:2::5") == "2001:db8:1::/48"
    assert new_device.network_of(None) == ""
    assert new_device.describe_device(FIREFOX) == "Firefox 140 on Windows 10"
    assert new_device.describe_device("") == "an unknown device"
    assert new_device.describe_device("curl/8.5") == "curl 8"


# -- retention ---------------------------------------------------------------------------


@override_settings(BAZARY_ACCOUNTS={"ACTIVITY_RETENTION_DAYS": 30})
def test_purge_command_deletes_what_is_past_the_retention(user):
    kept = event(user, days_ago=29)
    event(user, days_ago=31)
    event(user, days_ago=400)
    out = StringIO()
    call_command("bazary_purge_activity", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "2 events would be deleted"
    assert AccountEvent.objects.count() == 3
    out = StringIO()
    call_command("bazary_purge_activity", stdout=out)
    assert out.getvalue().strip() == "2 events deleted"
    assert list(AccountEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_purge_days_option_and_batches(user):
    for _ in range(5):
        event(user, days_ago=10)
    event(user, days_ago=1)
    assert retention.purge(7, batch_size=2) == 5
    assert AccountEvent.objects.count() == 1
    with pytest.raises(Exception, match="at least 1"):
        call_command("bazary_purge_activity", "--days", "0")


def test_the_purge_task_uses_the_setting(user):
    event(user, days_ago=366)
    event(user, days_ago=364)
    result = retention.purge_activity.enqueue()
    assert result.return_value == 1
    assert AccountEvent.objects.count() == 1


def test_settings_are_checked(settings):
    from django.core.checks import run_checks

    settings.BAZARY_ACCOUNTS = {"ACTIVITY_RETENTION_DAYS": 0, "NEW_DEVICE_WINDOW_DAYS": -1}
    ids = [m.id for m in run_checks() if "DAYS" in m.msg]
    assert ids == ["bazary_accounts.E013", "bazary_accounts.E013"]


def test_bearer_helper_sees_its_own_log(user):
    pair = sign_in(user)
    assert bearer(pair["access"]).get("/api/auth/activity/").json()["count"] == 1
