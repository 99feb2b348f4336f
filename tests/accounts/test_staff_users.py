"""``auth/users/``: the staff user management API, its permission matrix and privilege rules."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from bazary.accounts import sessions
from bazary.accounts.activity import EventKind
from bazary.accounts.models import AccountEvent, Login
from bazary.testing.accounts import AddressFactory, UserFactory

from .conftest import bearer, login

pytestmark = pytest.mark.django_db

User = get_user_model()


def staff_member(*perms, superuser=False, **kwargs):
    user = UserFactory(is_staff=True, is_superuser=superuser, **kwargs)
    if perms:
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label="bazary_accounts", codename__in=perms)
        )
    return user


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def customer(db):
    return UserFactory(first_name="Grace", last_name="Hopper", email="grace@example.com")


@pytest.fixture
def viewer(db):
    return staff_member("view_user")


@pytest.fixture
def manager(db):
    return staff_member("change_user")


@pytest.fixture
def root(db):
    return staff_member(superuser=True)


# -- the permission matrix ------------------------------------------------------------

ANONYMOUS, CUSTOMER, STAFF, VIEWER, MANAGER, SUPERUSER = "anonymous", "customer", "staff", "viewer", "manager", "su"


def who(kind, customer):
    return {
        ANONYMOUS: lambda: APIClient(),
        CUSTOMER: lambda: as_user(UserFactory()),
        STAFF: lambda: as_user(staff_member()),
        VIEWER: lambda: as_user(staff_member("view_user")),
        MANAGER: lambda: as_user(staff_member("change_user")),
        SUPERUSER: lambda: as_user(staff_member(superuser=True)),
    }[kind]()


def requests(customer):
    return {
        "list": ("get", "/api/auth/users/", None),
        "detail": ("get", f"/api/auth/users/{customer.pk}/", None),
        "stats": ("get", "/api/auth/users/stats/", None),
        "patch": ("patch", f"/api/auth/users/{customer.pk}/", {"first_name": "G."}),
        "action": ("post", f"/api/auth/users/{customer.pk}/unlock/", {}),
        "bulk": ("post", "/api/auth/users/bulk/", {"ids": [customer.pk], "action": "unlock"}),
    }


READS = {"list", "detail", "stats"}
EXPECTED = {
    ANONYMOUS: dict.fromkeys(["list", "detail", "stats", "patch", "action", "bulk"], 401),
    CUSTOMER: dict.fromkeys(["list", "detail", "stats", "patch", "action", "bulk"], 403),
    STAFF: dict.fromkeys(["list", "detail", "stats", "patch", "action", "bulk"], 403),
    VIEWER: {"list": 200, "detail": 200, "stats": 200, "patch": 403, "action": 403, "bulk": 403},
    MANAGER: dict.fromkeys(["list", "detail", "stats", "patch", "action", "bulk"], 200),
    SUPERUSER: dict.fromkeys(["list", "detail", "stats", "patch", "action", "bulk"], 200),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_permission_matrix(role, customer):
    client = who(role, customer)
    for name, (method, path, body) in requests(customer).items():
        response = getattr(client, method)(path, body, format="json") if body is not None else client.get(path)
        assert response.status_code == EXPECTED[role][name], (role, name, response.content)
    # Nothing changed for those refused.
    customer.refresh_from_db()
    assert customer.first_name == ("G." if EXPECTED[role]["patch"] == 200 else "Grace")


def test_a_real_customer_token_gets_403(user):
    assert bearer(login(APIClient(), user.email)["access"]).get("/api/auth/users/").status_code == 403


# -- list, search, filters, ordering ---------------------------------------------------------


def listed(client, **params):
    response = client.get("/api/auth/users/", params)
    assert response.status_code == 200, response.content
    return [item["email"] for item in response.json()["results"]]


def test_list_shows_what_staff_need(viewer, customer):
    customer.groups.add(Group.objects.create(name="support"))
    body = as_user(viewer).get("/api/auth/users/", {"search": "grace"}).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item == {
        "id": customer.pk,
        "email": "grace@example.com",
        "first_name": "Grace",
        "last_name": "Hopper",
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
        "email_verified": True,
        "locked": False,
        "has_mfa": False,
        "groups": ["support"],
        "date_joined": item["date_joined"],
        "last_login": None,
    }


def test_search_filters_and_ordering(viewer, customer):
    UserFactory(email="inactive@example.com", is_active=False)
    UserFactory(email="unverified@example.com", unverified=True)
    old = UserFactory(email="old@example.com")
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=400))
    client = as_user(viewer)
    assert listed(client, search="HOPPER") == ["grace@example.com"]
    assert listed(client, is_active="false") == ["inactive@example.com"]
    assert listed(client, verified="false") == ["unverified@example.com"]
    assert listed(client, is_staff="true") == [viewer.email]
    assert listed(client, joined_before=(timezone.now() - timedelta(days=300)).isoformat()) == ["old@example.com"]
    assert "old@example.com" not in listed(client, joined_after=(timezone.now() - timedelta(days=300)).isoformat())
    emails = listed(client, ordering="-email")
    assert emails == sorted(emails, reverse=True)
    for bad in ({"is_active": "yes"}, {"ordering": "password"}, {"joined_after": "soon"}, {"search": "x" * 300}):
        assert client.get("/api/auth/users/", bad).status_code == 400, bad


@override_settings(BAZARY_ACCOUNTS={"LOCKOUT_THRESHOLD": 1, "THROTTLE_RATES": {"login": None}})
def test_the_locked_filter_follows_the_lockout(viewer, manager, customer):
    APIClient().post("/api/auth/token/", {"email": customer.email, "password": "wrong"}, format="json")
    assert listed(as_user(viewer), locked="true") == ["grace@example.com"]
    assert as_user(viewer).get("/api/auth/users/stats/").json()["locked"] == 1
    # Staff clear it: the client can log in again, and the account is no longer listed as locked.
    assert as_user(manager).post(f"/api/auth/users/{customer.pk}/unlock/").status_code == 200
    assert listed(as_user(viewer), locked="true") == []
    login(APIClient(), customer.email)


@pytest.mark.parametrize("page_size", [1, 100])
def test_list_query_budget(viewer, page_size, django_assert_max_num_queries):
    group = Group.objects.create(name="vip")
    for _ in range(110):
        UserFactory().groups.add(group)
    client = as_user(viewer)
    # The staff member's permissions (2), the count, the page (locked annotated), the groups.
    with django_assert_max_num_queries(5):
        response = client.get("/api/auth/users/", {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


# -- one user -----------------------------------------------------------------------------


def test_detail_has_sessions_addresses_groups_and_recent_activity(viewer, customer):
    pair = login(APIClient(REMOTE_ADDR="198.51.100.8", HTTP_USER_AGENT="Firefox/140"), customer.email)
    AddressFactory(user=customer, city="Arlington")
    customer.groups.add(Group.objects.create(name="wholesale"))
    body = as_user(viewer).get(f"/api/auth/users/{customer.pk}/").json()
    assert [(x["ip_address"], x["user_agent"]) for x in body["sessions"]] == [("198.51.100.8", "Firefox/140")]
    assert [a["city"] for a in body["addresses"]] == ["Arlington"]
    assert body["groups"] == ["wholesale"]
    assert [e["kind"] for e in body["recent_activity"]] == ["login_succeeded"]
    assert body["recent_activity"][0]["actor"] is None
    assert pair["refresh"]


@pytest.mark.parametrize("many", [False, True])
def test_detail_query_budget(viewer, customer, many, django_assert_max_num_queries):
    for _ in range(12 if many else 1):
        sessions.issue_tokens(customer)
        AddressFactory(user=customer)
    client = as_user(viewer)
    # Permissions (2), the user, groups, sessions, addresses, recent events.
    with django_assert_max_num_queries(7):
        response = client.get(f"/api/auth/users/{customer.pk}/")
    assert len(response.json()["sessions"]) == (12 if many else 1)


@pytest.mark.parametrize("pk", ["0", "abc", str(2**64), "1.5", "-1"])
def test_ids_that_are_not_ids_are_404(viewer, pk):
    assert as_user(viewer).get(f"/api/auth/users/{pk}/").status_code == 404


# -- changes, roles and the privilege rules ------------------------------------------------


def test_groups_as_roles(manager, customer):
    Group.objects.create(name="support")
    Group.objects.create(name="wholesale")
    client = as_user(manager)
    response = client.patch(f"/api/auth/users/{customer.pk}/", {"groups": ["support", "wholesale"]}, format="json")
    assert response.status_code == 200
    assert response.json()["groups"] == ["support", "wholesale"]
    event = AccountEvent.objects.get(kind=EventKind.ACCOUNT_UPDATED)
    assert (event.user, event.actor, event.data) == (
        customer,
        manager,
        {"fields": ["groups"], "groups": ["support", "wholesale"]},
    )
    bad = client.patch(f"/api/auth/users/{customer.pk}/", {"groups": ["nope"]}, format="json")
    assert bad.status_code == 400
    assert "groups" in bad.json()
    assert sorted(customer.groups.values_list("name", flat=True)) == ["support", "wholesale"]


def test_only_a_superuser_grants_or_removes_staff_status(manager, root, customer):
    response = as_user(manager).patch(f"/api/auth/users/{customer.pk}/", {"is_staff": True}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "superuser_required"
    customer.refresh_from_db()
    assert customer.is_staff is False
    assert as_user(root).patch(f"/api/auth/users/{customer.pk}/", {"is_staff": True}, format="json").status_code == 200
    customer.refresh_from_db()
    assert customer.is_staff is True
    assert AccountEvent.objects.get(kind=EventKind.ACCOUNT_UPDATED, actor=root).data == {"fields": ["is_staff"]}
    # And nobody their own.
    response = as_user(root).patch(f"/api/auth/users/{root.pk}/", {"is_superuser": False}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "cannot_change_own_status")


def test_only_a_superuser_changes_a_staff_account(manager, root):
    colleague = staff_member(first_name="Col")
    client = as_user(manager)
    for method, path, body in [
        ("patch", f"/api/auth/users/{colleague.pk}/", {"first_name": "X"}),
        ("post", f"/api/auth/users/{colleague.pk}/revoke_sessions/", {}),
        ("post", f"/api/auth/users/{colleague.pk}/deactivate/", {}),
        ("post", "/api/auth/users/bulk/", {"ids": [colleague.pk], "action": "send_password_reset"}),
        ("patch", f"/api/auth/users/{manager.pk}/", {"first_name": "Me"}),  # their own staff account too
    ]:
        response = getattr(client, method)(path, body, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "staff_account"), path
    assert (
        as_user(root).patch(f"/api/auth/users/{colleague.pk}/", {"first_name": "X"}, format="json").status_code == 200
    )
    assert not AccountEvent.objects.filter(actor=manager).exists()


def test_nobody_deactivates_themselves_or_a_superuser(root):
    other_root = staff_member(superuser=True)
    client = as_user(root)
    response = client.post(f"/api/auth/users/{root.pk}/deactivate/")
    assert (response.status_code, response.json()["code"]) == (403, "cannot_deactivate_self")
    response = client.post(f"/api/auth/users/{other_root.pk}/deactivate/")
    assert (response.status_code, response.json()["code"]) == (403, "cannot_deactivate_superuser")
    assert User.objects.filter(is_active=False).count() == 0


# -- actions ----------------------------------------------------------------------------------


def test_deactivate_revokes_every_token_and_reactivate(manager, customer):
    first = login(APIClient(), customer.email)
    second = login(APIClient(), customer.email)
    client = as_user(manager)
    response = client.post(f"/api/auth/users/{customer.pk}/deactivate/", {"reason": "fraud"}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["sessions"] == []
    for pair in (first, second):
        assert APIClient().post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}).status_code == 401
        assert bearer(pair["access"]).get("/api/auth/me/").status_code == 401
    assert set(Login.objects.filter(user=customer).values_list("revoked_reason", flat=True)) == {"deactivated"}
    event = AccountEvent.objects.get(kind=EventKind.ACCOUNT_DEACTIVATED)
    assert (event.user, event.actor, event.data) == (customer, manager, {"reason": "fraud"})
    assert client.post(f"/api/auth/users/{customer.pk}/reactivate/").json()["is_active"] is True
    assert AccountEvent.objects.get(kind=EventKind.ACCOUNT_REACTIVATED).actor == manager
    # The old sessions stay dead; a new login works.
    assert APIClient().post("/api/auth/token/refresh/", {"refresh": first["refresh"]}).status_code == 401
    login(APIClient(), customer.email)


def test_mark_verified_and_resend_verification(manager):
    pending = UserFactory(unverified=True)
    client = as_user(manager)
    mail.outbox.clear()
    assert client.post(f"/api/auth/users/{pending.pk}/resend_verification/").status_code == 200
    assert [m.to for m in mail.outbox] == [[pending.email]]
    assert AccountEvent.objects.get(kind=EventKind.VERIFICATION_SENT).actor == manager
    assert client.post(f"/api/auth/users/{pending.pk}/mark_verified/").json()["email_verified"] is True
    assert AccountEvent.objects.get(kind=EventKind.EMAIL_VERIFIED).actor == manager
    # Already verified: nothing to send, nothing logged.
    client.post(f"/api/auth/users/{pending.pk}/resend_verification/")
    assert AccountEvent.objects.filter(kind=EventKind.VERIFICATION_SENT).count() == 1


def test_send_password_reset(manager, customer):
    mail.outbox.clear()
    assert as_user(manager).post(f"/api/auth/users/{customer.pk}/send_password_reset/").status_code == 200
    (message,) = mail.outbox
    assert message.to == [customer.email]
    assert "reset-password?uid=" in message.body
    event = AccountEvent.objects.get(kind=EventKind.PASSWORD_RESET_REQUESTED)
    assert (event.user, event.actor) == (customer, manager)


def test_revoke_one_or_all_sessions(manager, customer, other_user):
    first = login(APIClient(), customer.email)
    second = login(APIClient(), customer.email)
    client = as_user(manager)
    sessions = client.get(f"/api/auth/users/{customer.pk}/").json()["sessions"]
    newest = sessions[0]["id"]
    assert client.delete(f"/api/auth/users/{customer.pk}/sessions/{newest}/").status_code == 204
    assert APIClient().post("/api/auth/token/refresh/", {"refresh": second["refresh"]}).status_code == 401
    assert APIClient().post("/api/auth/token/refresh/", {"refresh": first["refresh"]}).status_code == 200
    assert AccountEvent.objects.get(kind=EventKind.SESSION_REVOKED).data == {"session": newest}
    # Another user's session id is a 404 here.
    theirs = login(APIClient(), other_user.email)
    assert theirs
    other_session = as_user(manager).get(f"/api/auth/users/{other_user.pk}/").json()["sessions"][0]["id"]
    assert client.delete(f"/api/auth/users/{customer.pk}/sessions/{other_session}/").status_code == 404
    assert client.post(f"/api/auth/users/{customer.pk}/revoke_sessions/").json()["sessions"] == []
    assert AccountEvent.objects.get(kind=EventKind.SESSIONS_REVOKED).actor == manager


def test_an_unknown_action_is_404(manager, customer):
    assert as_user(manager).post(f"/api/auth/users/{customer.pk}/explode/").status_code == 404


# -- bulk -------------------------------------------------------------------------------------


def test_bulk_is_all_or_nothing_with_one_event_per_user(manager):
    targets = [UserFactory() for _ in range(3)]
    client = as_user(manager)
    ids = [u.pk for u in targets]
    response = client.post("/api/auth/users/bulk/", {"ids": [*ids, ids[0]], "action": "deactivate"}, format="json")
    assert response.json() == {"action": "deactivate", "matched": 3, "changed": 3}
    assert User.objects.filter(pk__in=ids, is_active=False).count() == 3
    events = AccountEvent.objects.filter(kind=EventKind.ACCOUNT_DEACTIVATED)
    assert sorted(events.values_list("user", flat=True)) == sorted(ids)
    assert set(events.values_list("actor", flat=True)) == {manager.pk}
    # Again: nothing changes, nothing more is logged.
    again = client.post("/api/auth/users/bulk/", {"ids": ids, "action": "deactivate"}, format="json")
    assert again.json()["changed"] == 0
    assert events.count() == 3


def test_bulk_refuses_everything_when_one_id_is_bad(manager, customer):
    colleague = staff_member()
    client = as_user(manager)
    unknown = client.post(
        "/api/auth/users/bulk/", {"ids": [customer.pk, 999999], "action": "deactivate"}, format="json"
    )
    assert unknown.status_code == 400
    assert unknown.json() == {"ids": {"1": ["No user has the id 999999."]}}
    staff = client.post(
        "/api/auth/users/bulk/", {"ids": [customer.pk, colleague.pk], "action": "deactivate"}, format="json"
    )
    assert (staff.status_code, staff.json()["ids"]) == (403, [str(colleague.pk)])
    customer.refresh_from_db()
    assert customer.is_active is True
    assert not AccountEvent.objects.filter(actor=manager).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": list(range(1, 102)), "action": "unlock"}, "ids"),
        ({"ids": [], "action": "unlock"}, "ids"),
        ({"ids": [1], "action": "explode"}, "action"),
        ({"ids": [2**64], "action": "unlock"}, "ids"),
        ({"ids": ["x"], "action": "unlock"}, "ids"),
        ({"action": "unlock"}, "ids"),
    ],
)
def test_bulk_input_is_checked(manager, body, field):
    response = as_user(manager).post("/api/auth/users/bulk/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_bulk_query_count_does_not_grow_with_the_users(manager, django_assert_max_num_queries):
    few = [UserFactory().pk for _ in range(2)]
    many = [UserFactory().pk for _ in range(60)]
    client = as_user(manager)
    with django_assert_max_num_queries(12) as small:
        client.post("/api/auth/users/bulk/", {"ids": few, "action": "revoke_sessions"}, format="json")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.post("/api/auth/users/bulk/", {"ids": many, "action": "revoke_sessions"}, format="json")
    assert AccountEvent.objects.filter(kind=EventKind.SESSIONS_REVOKED).count() == 62


# -- stats ------------------------------------------------------------------------------------


def test_stats(viewer, django_assert_max_num_queries):
    UserFactory(is_active=False)
    UserFactory(unverified=True)
    old = UserFactory()
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=45))
    yesterday = UserFactory()
    User.objects.filter(pk=yesterday.pk).update(date_joined=timezone.now() - timedelta(days=1))
    client = as_user(viewer)
    with django_assert_max_num_queries(6):
        body = client.get("/api/auth/users/stats/").json()
    assert {k: body[k] for k in ("total", "active", "verified", "staff", "locked", "with_mfa")} == {
        "total": 5,
        "active": 4,
        "verified": 4,
        "staff": 1,
        "locked": 0,
        "with_mfa": 0,
    }
    assert len(body["signups"]) == 30
    assert body["signups"][-1] == {"date": timezone.localdate().isoformat(), "count": 3}
    assert body["signups"][-2]["count"] == 1
    assert sum(day["count"] for day in body["signups"]) == 4


def test_every_staff_action_is_logged_with_its_actor(manager, customer):
    client = as_user(manager)
    for action in ("unlock", "mark_verified", "revoke_sessions", "send_password_reset", "deactivate", "reactivate"):
        assert client.post(f"/api/auth/users/{customer.pk}/{action}/").status_code == 200, action
    kinds = set(AccountEvent.objects.filter(user=customer, actor=manager).values_list("kind", flat=True))
    assert kinds == {
        "unlocked",
        "sessions_revoked",
        "password_reset_requested",
        "account_deactivated",
        "account_reactivated",
    }  # mark_verified changed nothing: the address was verified already
    # The customer sees them as staff actions.
    own = bearer(login(APIClient(), customer.email)["access"]).get("/api/auth/activity/", {"kind": "unlocked"})
    assert own.json()["results"][0]["by_staff"] is True


# -- MFA ----------------------------------------------------------------------------------


def test_reset_mfa_needs_a_reason_and_removes_every_factor(api_client, manager, viewer, customer):
    from .mfa_helpers import mfa_user_client, password_step

    mfa_user_client(api_client, customer)
    client = as_user(manager)
    assert listed(as_user(viewer), has_mfa="true") == [customer.email]
    assert as_user(viewer).get("/api/auth/users/stats/").json()["with_mfa"] == 1
    refused = client.post(f"/api/auth/users/{customer.pk}/reset_mfa/", {}, format="json")
    assert (refused.status_code, list(refused.json())) == (400, ["reason"])
    bulk = client.post("/api/auth/users/bulk/", {"ids": [customer.pk], "action": "reset_mfa"}, format="json")
    assert (bulk.status_code, list(bulk.json())) == (400, ["reason"])
    assert password_step(APIClient(), customer.email).json()["mfa_required"] is True
    response = client.post(f"/api/auth/users/{customer.pk}/reset_mfa/", {"reason": "lost phone, ID checked"})
    assert response.status_code == 200
    assert response.json()["has_mfa"] is False
    event = AccountEvent.objects.get(kind=EventKind.MFA_RESET)
    assert (event.user, event.actor, event.data) == (customer, manager, {"reason": "lost phone, ID checked"})
    # The password alone signs in now.
    assert "access" in password_step(APIClient(), customer.email).json()
    assert listed(as_user(viewer), has_mfa="false").count(customer.email) == 1
