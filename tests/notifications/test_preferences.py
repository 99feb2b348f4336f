"""GET/PUT notifications/preferences/."""

from __future__ import annotations

import pytest
from django.core import mail

from bazary.notifications.api import notify
from bazary.notifications.models import Notification, Preference

pytestmark = pytest.mark.django_db

URL = "/api/notifications/preferences/"


def rows_by_key(rows):
    return {(row["kind"], row["channel"]): row for row in rows}


def test_get_lists_every_kind_and_channel_with_defaults(client_for, user):
    response = client_for(user).get(URL)
    assert response.status_code == 200
    rows = rows_by_key(response.json())
    assert rows[("tests.hello", "in_app")] == {
        "kind": "tests.hello",
        "channel": "in_app",
        "enabled": True,
        "mandatory": False,
    }
    assert rows[("tests.hello", "email")]["enabled"] is True
    assert rows[("tests.security", "email")] == {
        "kind": "tests.security",
        "channel": "email",
        "enabled": True,
        "mandatory": True,
    }
    # A mandatory kind lists only the channels it is sent on: no "mandatory but off" row.
    assert ("tests.security", "in_app") not in rows
    # Exactly one row per kind and channel.
    assert len(response.json()) == len(rows)


def test_mandatory_rows_are_all_enabled_and_others_list_every_channel(client_for, user):
    rows = client_for(user).get(URL).json()
    mandatory = [row for row in rows if row["mandatory"]]
    assert mandatory  # bazary.accounts' security mails, tests.security
    assert all(row["enabled"] for row in mandatory)
    assert {row["channel"] for row in rows if row["kind"] == "accounts.password_reset"} == {"email"}
    assert [row["channel"] for row in rows if row["kind"] == "tests.hello"] == ["in_app", "email"]


@pytest.mark.parametrize("enabled", [True, False])
def test_put_for_a_channel_the_kind_is_never_sent_on_is_400_and_nothing_changes(client_for, user, enabled):
    response = client_for(user).put(
        URL,
        [
            {"kind": "tests.hello", "channel": "email", "enabled": False},
            {"kind": "tests.security", "channel": "in_app", "enabled": enabled},
        ],
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["1"]
    assert list(response.json()["1"]) == ["channel"]
    assert not Preference.objects.exists()
    notify(user, "tests.security")
    assert not Notification.objects.exists()


def test_a_kind_with_only_some_channels_configured_lists_only_those(client_for, user, settings):
    settings.BAZARY_NOTIFICATIONS = {"CHANNELS": ["bazary.notifications.channels.InAppChannel"]}
    rows = client_for(user).get(URL).json()
    assert {row["channel"] for row in rows} == {"in_app"}
    assert not [row for row in rows if row["kind"] == "tests.security"]


def test_get_is_a_fixed_number_of_queries(client_for, user, django_assert_max_num_queries):
    Preference.objects.create(user=user, kind="tests.hello", channel="email", enabled=False)
    with django_assert_max_num_queries(1):
        client_for(user).get(URL)


def test_put_changes_given_rows_only_and_answers_the_full_list(client_for, user, other_user):
    client = client_for(user)
    response = client.put(URL, [{"kind": "tests.hello", "channel": "email", "enabled": False}], format="json")
    assert response.status_code == 200
    rows = rows_by_key(response.json())
    assert rows[("tests.hello", "email")]["enabled"] is False
    assert rows[("tests.hello", "in_app")]["enabled"] is True
    assert rows == rows_by_key(client.get(URL).json())

    response = client.put(URL, [{"kind": "tests.hello", "channel": "in_app", "enabled": False}], format="json")
    rows = rows_by_key(response.json())
    assert rows[("tests.hello", "email")]["enabled"] is False  # stays
    assert rows[("tests.hello", "in_app")]["enabled"] is False

    response = client.put(URL, [{"kind": "tests.hello", "channel": "email", "enabled": True}], format="json")
    assert rows_by_key(response.json())[("tests.hello", "email")]["enabled"] is True
    # Another user's preferences are their own.
    assert all(
        row["enabled"]
        for row in rows_by_key(client_for(other_user).get(URL).json()).values()
        if row["kind"] == "tests.hello"
    )


def test_turning_off_a_mandatory_kind_is_400_and_nothing_changes(client_for, user):
    response = client_for(user).put(
        URL,
        [
            {"kind": "tests.hello", "channel": "email", "enabled": False},
            {"kind": "tests.security", "channel": "email", "enabled": False},
        ],
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["1"]
    assert "enabled" in response.json()["1"]
    assert not Preference.objects.exists()


def test_confirming_a_mandatory_kind_is_harmless(client_for, user):
    response = client_for(user).put(
        URL, [{"kind": "tests.security", "channel": "email", "enabled": True}], format="json"
    )
    assert response.status_code == 200
    assert not Preference.objects.exists()


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"kind": "tests.nope", "channel": "email", "enabled": False}, "kind"),
        ({"kind": "tests.hello", "channel": "pigeon", "enabled": False}, "channel"),
        ({"kind": "tests.hello", "channel": "email"}, "enabled"),
        ({"kind": "tests.hello", "channel": "email", "enabled": "sometimes"}, "enabled"),
        ({"kind": "x" * 10_000, "channel": "email", "enabled": False}, "kind"),
        ({"kind": ["tests.hello"], "channel": "email", "enabled": False}, "kind"),
    ],
)
def test_bad_rows_are_400(client_for, user, row, field):
    response = client_for(user).put(URL, [row], format="json")
    assert response.status_code == 400
    assert field in response.json()["0"]
    assert not Preference.objects.exists()


def test_a_nul_in_a_row_is_refused_by_the_parser(client_for, user):
    row = {"kind": "tests.hello\x00", "channel": "email", "enabled": False}
    response = client_for(user).put(URL, [row], format="json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert not Preference.objects.exists()


@pytest.mark.parametrize("body", [{"kind": "tests.hello"}, "text", 1e308, None, [[1]]])
def test_a_body_that_is_not_a_list_of_rows_is_400(client_for, user, body):
    response = client_for(user).put(URL, body, format="json")
    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_too_many_rows_is_400(client_for, user):
    rows = [{"kind": "tests.hello", "channel": "email", "enabled": False}] * 1001
    response = client_for(user).put(URL, rows, format="json")
    assert response.status_code == 400


def test_form_data_is_415(client_for, user):
    response = client_for(user).put(URL, "kind=tests.hello", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_an_opt_out_through_the_api_is_honoured_by_notify(client_for, user):
    client_for(user).put(URL, [{"kind": "tests.hello", "channel": "email", "enabled": False}], format="json")
    notify(user, "tests.hello", {"name": "x"})
    notify(user, "tests.security")
    assert Notification.objects.filter(recipient=user, kind="tests.hello").count() == 1
    # Only the mandatory kind's email went out.
    assert [m.subject for m in mail.outbox] == ["Security notice"]
