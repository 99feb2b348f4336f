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
    assert rows[("tests.security", "in_app")]["enabled"] is False
    # Exactly one row per kind and channel.
    assert len(response.json()) == len(rows)


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
