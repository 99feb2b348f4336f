"""The notifications API: own objects only, bounded queries, 4xx on hostile input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from bazary.notifications.api import notify
from bazary.notifications.models import Notification
from bazary.testing.notifications import NotificationFactory

pytestmark = pytest.mark.django_db

BASE = "/api/notifications/"


def detail(pk, action=""):
    return f"{BASE}{pk}/{action + '/' if action else ''}"


@pytest.fixture
def inbox(user, other_user):
    now = timezone.now()
    mine = [NotificationFactory(recipient=user, created_at=now - timedelta(minutes=i)) for i in range(3)]
    mine[2].read_at = now
    mine[2].save()
    theirs = NotificationFactory(recipient=other_user)
    return mine, theirs


def test_list_is_own_only_newest_first(client_for, user, inbox):
    mine, _theirs = inbox
    response = client_for(user).get(BASE)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [n["id"] for n in body["results"]] == [n.pk for n in mine]
    first = body["results"][0]
    assert set(first) == {"id", "kind", "title", "body", "data", "actor", "target", "is_read", "read_at", "created_at"}
    assert first["is_read"] is False


@pytest.mark.parametrize(("value", "expected"), [("true", [0, 1]), ("false", [2])])
def test_unread_filter(client_for, user, inbox, value, expected):
    mine, _ = inbox
    response = client_for(user).get(BASE, {"unread": value})
    assert response.status_code == 200
    assert [n["id"] for n in response.json()["results"]] == [mine[i].pk for i in expected]


def test_actor_and_target_are_serialized(client_for, user, make_user):
    actor = make_user("carol@example.com", first_name="Carol", last_name="King")
    notify(user, "tests.hello", {"name": "x"}, actor=actor, target=actor)
    result = client_for(user).get(BASE).json()["results"][0]
    assert result["actor"] == {"id": str(actor.pk), "name": "Carol King"}
    assert result["target"] == {"type": "bazary_accounts.user", "id": str(actor.pk), "repr": str(actor)}
    assert result["title"] == "Hello x"


@pytest.mark.parametrize("page_size", [1, 100])
def test_list_query_count_does_not_grow_with_the_page(
    client_for, user, make_user, page_size, django_assert_max_num_queries
):
    actors = [make_user() for _ in range(5)]
    for i in range(120):
        NotificationFactory(recipient=user, actor=actors[i % 5], target_content_type=None)
    for actor in actors:
        notify(user, "tests.hello", {"name": "x"}, actor=actor, target=actor)
    client = client_for(user)
    with django_assert_max_num_queries(3):
        response = client.get(BASE, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size


def test_page_size_is_capped(client_for, user, settings):
    settings.BAZARY_NOTIFICATIONS = {"PAGE_SIZE": 2, "MAX_PAGE_SIZE": 3}
    for _ in range(5):
        NotificationFactory(recipient=user)
    client = client_for(user)
    assert len(client.get(BASE).json()["results"]) == 2
    assert len(client.get(BASE, {"page_size": 1_000_000}).json()["results"]) == 3


def test_unread_count_is_one_query(client_for, user, inbox, django_assert_num_queries):
    client = client_for(user)
    with django_assert_num_queries(1):
        response = client.get(f"{BASE}unread-count/")
    assert response.status_code == 200
    assert response.json() == {"count": 2}


def test_detail(client_for, user, inbox, django_assert_max_num_queries):
    mine, _ = inbox
    client = client_for(user)
    with django_assert_max_num_queries(1):
        response = client.get(detail(mine[0].pk))
    assert response.status_code == 200
    assert response.json()["id"] == mine[0].pk


def test_read_and_unread(client_for, user, inbox):
    mine, _ = inbox
    client = client_for(user)
    response = client.post(detail(mine[0].pk, "read"))
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    read_at = Notification.objects.get(pk=mine[0].pk).read_at
    assert read_at is not None
    # Reading again keeps the first read time.
    client.post(detail(mine[0].pk, "read"))
    assert Notification.objects.get(pk=mine[0].pk).read_at == read_at

    response = client.post(detail(mine[0].pk, "unread"))
    assert response.status_code == 200
    assert response.json()["is_read"] is False
    assert response.json()["read_at"] is None
    assert Notification.objects.get(pk=mine[0].pk).read_at is None


def test_delete(client_for, user, inbox):
    mine, _ = inbox
    response = client_for(user).delete(detail(mine[0].pk))
    assert response.status_code == 204
    assert not Notification.objects.filter(pk=mine[0].pk).exists()


def test_read_all_marks_only_own_unread(client_for, user, inbox):
    _mine, theirs = inbox
    response = client_for(user).post(f"{BASE}read-all/")
    assert response.status_code == 200
    assert response.json() == {"updated": 2}
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client_for(user).post(f"{BASE}read-all/").json() == {"updated": 0}


@pytest.mark.parametrize(("method", "action"), [("get", ""), ("delete", ""), ("post", "read"), ("post", "unread")])
def test_another_users_notification_is_404(client_for, user, inbox, method, action):
    _, theirs = inbox
    response = getattr(client_for(user), method)(detail(theirs.pk, action))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None  # untouched, and still there


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", BASE),
        ("get", f"{BASE}unread-count/"),
        ("get", f"{BASE}1/"),
        ("delete", f"{BASE}1/"),
        ("post", f"{BASE}1/read/"),
        ("post", f"{BASE}1/unread/"),
        ("post", f"{BASE}read-all/"),
        ("get", f"{BASE}preferences/"),
        ("put", f"{BASE}preferences/"),
    ],
)
def test_anonymous_is_401(api_client, inbox, method, path):
    response = getattr(api_client, method)(path)
    assert response.status_code == 401
    assert Notification.objects.filter(read_at__isnull=True).count() == 3


@pytest.mark.parametrize(
    "path",
    [
        f"{BASE}{2**63}/",
        f"{BASE}{2**63}/read/",
        f"{BASE}99999999999999999999999/",
        f"{BASE}-1/",
        f"{BASE}%00/",
        f"{BASE}1%00/",
        f"{BASE}abc/",
    ],
)
def test_hostile_ids_are_404(client_for, user, inbox, path):
    client = client_for(user)
    # An action route answers GET with 405 now that any id reaches the view.
    assert client.get(path).status_code == (405 if path.endswith("/read/") else 404)
    assert client.post(path).status_code in (404, 405)
    assert client.delete(path).status_code in (404, 405)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page": 10**12}, 404),
        ({"page": "abc"}, 404),
        ({"page": "\x00"}, 400),  # NUL is refused for every query parameter
        ({"page_size": 10**6}, 200),
        ({"page_size": "\x00"}, 400),
        ({"page_size": "1e1000"}, 200),
        ({"unread": "\x00"}, 400),
        ({"unread": "maybe"}, 400),
        ({"unread": "x" * 10_000}, 400),
    ],
)
def test_hostile_list_parameters_are_4xx_or_ignored(client_for, user, inbox, params, status):
    response = client_for(user).get(BASE, params)
    assert response.status_code == status


@pytest.mark.parametrize("action", ["", "read", "unread"])
@pytest.mark.parametrize(
    "pk",
    ["abc", "1.5", "%C3%A9", "%D9%A1", "1e3", str(2**63), str(2**63 - 1), str(10**30), "9" * 19, "-1", "%00", " 1"],
)
def test_hostile_ids_are_json_404_on_every_route(client_for, user, inbox, pk, action):
    client = client_for(user)
    for method in ("get", "delete") if not action else ("post",):
        response = getattr(client, method)(detail(pk, action))
        assert response.status_code == 404, (method, pk, action)
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()


def test_notification_serializer_is_swappable(client_for, user, inbox, settings):
    mine = inbox[0][0]
    settings.BAZARY_NOTIFICATIONS = {"NOTIFICATION_SERIALIZER": "tests.notifications.test_api.IdOnlySerializer"}
    client = client_for(user)
    assert client.get(detail(mine.pk)).json() == {"id": mine.pk}
    assert client.get(BASE).json()["results"][0].keys() == {"id"}
    assert client.post(detail(mine.pk, "read")).json() == {"id": mine.pk}


class IdOnlySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
