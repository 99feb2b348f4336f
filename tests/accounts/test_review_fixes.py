# ruff: noqa: RUF001, RUF003  (look-alike letters are what these tests are about)
"""Regression tests of the accounts security review: look-alike addresses, timing,
per-user and per-address throttles, what account deletion forgets, token verify,
the documented schema and swappable throttles."""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.db.models import QuerySet
from django.test import override_settings
from rest_framework import serializers
from rest_framework.test import APIClient
from rest_framework.throttling import BaseThrottle

from bazary.accounts.adapter import DefaultAccountAdapter
from bazary.accounts.conf import get_adapter
from bazary.accounts.models import Session
from bazary.accounts.serializers import RegisterSerializer, UserSerializer
from bazary.testing.accounts import UserFactory

from .conftest import NEW_PASSWORD, PASSWORD, bearer, emails_to, login

pytestmark = pytest.mark.django_db

User = get_user_model()
NO_LOGIN_THROTTLE = {"login": None}


def attempt(client, email, password="wrong password"):
    return client.post("/api/auth/token/", {"email": email, "password": password}, format="json")


def register(email, password="attacker long pass 1", ip="192.0.2.1"):
    client = APIClient(REMOTE_ADDR=ip)
    return client.post("/api/auth/register/", {"email": email, "password": password}, format="json")


def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def folding_collation():
    """A collation whose UPPER() folds look-alikes as a cluster with a UTF-8 locale does
    (the test cluster's locale is C, whose UPPER() leaves non-ASCII letters alone)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT collname FROM pg_collation WHERE collname IN ('und-x-icu', 'C.utf8') ORDER BY 1 DESC")
        row = cursor.fetchone()
    if row is None:
        pytest.skip("no collation that folds non-ASCII letters")
    return row[0]


@pytest.fixture
def folding_database(db):
    """The database's case-insensitive match as on a UTF-8 cluster: UPPER() takes the dotless i for i."""
    needs_postgres()
    collation = folding_collation()
    table, column = User._meta.db_table, User._meta.get_field("email").column

    def candidates(self, email):
        sql = (
            f'SELECT * FROM "{table}" WHERE UPPER("{column}"::text COLLATE "{collation}") '
            f'= UPPER(%s::text COLLATE "{collation}") ORDER BY "id"'
        )
        return list(User._default_manager.raw(sql, [email]))[:20]

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT UPPER('al\u0131ce'::text COLLATE \"{collation}\")")
        assert cursor.fetchone()[0] == "ALICE"
    with mock.patch.object(DefaultAccountAdapter, "_candidates", candidates):
        yield


# -- 1. look-alike addresses ----------------------------------------------------


def test_the_comparison_key_folds_compatibility_characters_and_case():
    adapter = get_adapter()
    key = adapter.email_key("sis@example.com")
    assert adapter.email_key("ſis@example.com") == key  # long s
    assert adapter.email_key("SIS@EXAMPLE.COM") == key
    assert adapter.email_key("\u212aate@example.com") == adapter.email_key("kate@example.com")  # Kelvin sign
    assert adapter.email_key("alıce@example.com") != adapter.email_key("alice@example.com")  # dotless i
    assert adapter.normalize_email(" ſis@EXAMPLE.com ") == "sis@example.com"


def test_a_database_look_alike_is_never_the_account():
    """Whatever the database's case-insensitive match returns, Python checks the key."""
    adapter = get_adapter()
    alice = UserFactory(email="alice@example.com")
    with mock.patch.object(type(adapter), "_candidates", return_value=[alice]):
        assert adapter.get_user_by_email("alıce@example.com") is None
        assert not adapter.email_in_use("alıce@example.com")
        assert adapter.get_user_by_email("ALICE@example.com") == alice


@pytest.mark.parametrize("email", ["alıce@example.com", "alİce@example.com"])
def test_a_local_part_with_non_ascii_letters_cannot_register(email):
    response = register(email)
    assert response.status_code == 400
    assert "email" in response.json()
    assert not User.objects.exists()


def test_a_compatibility_spelling_registers_as_the_existing_account(user):
    mail.outbox.clear()
    local, domain = user.email.split("@")
    response = register(f"{local.upper()}@{domain}".replace("S", "ſ"))
    assert response.status_code == 201
    assert User.objects.count() == 1
    assert len(emails_to(user.email)) == 1


@override_settings(BAZARY_ACCOUNTS={"LOCKOUT_THRESHOLD": 2, "THROTTLE_RATES": NO_LOGIN_THROTTLE})
def test_every_spelling_of_an_address_counts_against_the_same_lock(api_client):
    UserFactory(email="sis@example.com")
    assert attempt(api_client, "ſis@example.com").status_code == 401
    assert attempt(api_client, "siſ@example.com").status_code == 403
    locked = attempt(APIClient(), "sis@example.com", PASSWORD)
    assert locked.status_code == 403
    assert locked.json()["code"] == "account_locked"


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"password_reset": None, "password_reset_email": "2/hour"}})
def test_the_reset_mail_throttle_counts_every_spelling_of_an_address():
    UserFactory(email="sis@example.com")
    codes = [
        APIClient(REMOTE_ADDR=f"192.0.2.{i}").post("/api/auth/password/reset/", {"email": e}, format="json").status_code
        for i, e in enumerate(["sis@example.com", "ſis@example.com", "SIſ@example.com", "ſiſ@example.com"])
    ]
    assert codes == [202, 202, 429, 429]


@pytest.mark.postgres
@override_settings(BAZARY_ACCOUNTS={"LOCKOUT_THRESHOLD": 2, "THROTTLE_RATES": NO_LOGIN_THROTTLE})
def test_postgres_a_look_alike_neither_logs_in_nor_dodges_the_lock(api_client, folding_database):
    UserFactory(email="alice@example.com")
    # PostgreSQL's UPPER() takes ı for i: the look-alike must still not be the account.
    assert attempt(api_client, "alıce@example.com", PASSWORD).status_code == 401
    assert attempt(api_client, "alice@example.com").status_code == 401
    assert attempt(api_client, "alice@example.com").status_code == 403
    assert attempt(APIClient(), "alıce@example.com", PASSWORD).status_code in (401, 403)
    assert attempt(APIClient(), "alice@example.com", PASSWORD).status_code == 403


@pytest.mark.postgres
@override_settings(BAZARY_ACCOUNTS={"EMAIL_VERIFICATION": "optional"})
def test_postgres_a_look_alike_cannot_squat_an_address():
    needs_postgres()
    assert register("alıce@gmail.com").status_code == 400
    mail.outbox.clear()
    assert register("alice@gmail.com", "victim long pass 1").status_code == 201
    assert list(User.objects.values_list("email", flat=True)) == ["alice@gmail.com"]
    assert attempt(APIClient(), "alice@gmail.com", "attacker long pass 1").status_code == 401
    # The real owner registering again hears about it; nobody else gets mail.
    mail.outbox.clear()
    assert register("ALICE@gmail.com", ip="192.0.2.77").status_code == 201
    assert [m.to for m in mail.outbox] == [["alice@gmail.com"]]


@pytest.mark.postgres
@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"password_reset": None, "password_reset_email": "3/hour"}})
def test_postgres_reset_mail_goes_only_to_the_real_address(folding_database):
    UserFactory(email="sis@example.com")
    mail.outbox.clear()
    variants = [
        "sıs@example.com",
        "ſıs@example.com",
        "sis@example.com",
        "SIS@example.com",
        "ſis@example.com",
        "siſ@example.com",
    ]
    for i, email in enumerate(variants):
        APIClient(REMOTE_ADDR=f"192.0.2.{i}").post("/api/auth/password/reset/", {"email": email}, format="json")
    assert len(emails_to("sis@example.com")) == 3
    assert all(m.to == ["sis@example.com"] for m in mail.outbox)


# -- 2. timing -------------------------------------------------------------------------


def test_registering_a_taken_address_hashes_the_password_too(user):
    with mock.patch("bazary.accounts.serializers.make_password") as make_password:
        assert register(user.email, "some long passphrase 9").status_code == 201
    make_password.assert_called_once_with("some long passphrase 9")


# -- 3. current-password checks with a stolen access token ---------------------------------


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"password_check": "3/hour"}})
def test_current_password_checks_are_throttled_per_user(tokens):
    client = bearer(tokens["access"])
    codes = [
        client.post(
            "/api/auth/password/change/", {"current_password": "guess 1", "new_password": NEW_PASSWORD}, format="json"
        ).status_code,
        client.delete("/api/auth/me/", {"password": "guess 2"}, format="json").status_code,
        client.post(
            "/api/auth/email/change/", {"new_email": "z@example.com", "password": "guess 3"}, format="json"
        ).status_code,
    ]
    assert codes == [400, 400, 400]
    # Another IP, the same user: still throttled, even with the right password.
    other_ip = APIClient(REMOTE_ADDR="198.51.100.4")
    other_ip.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    right = other_ip.post(
        "/api/auth/password/change/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert right.status_code == 429
    assert other_ip.delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 429
    # Reading the profile is not a password check.
    assert other_ip.get("/api/auth/me/").status_code == 200


# -- 4. email change cannot spam an address -----------------------------------------------


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"password_check": None, "email_change": "2/hour"}})
def test_email_change_is_throttled_per_user(auth_client):
    codes = [
        auth_client.post(
            "/api/auth/email/change/", {"new_email": f"new{i}@example.com", "password": PASSWORD}, format="json"
        ).status_code
        for i in range(3)
    ]
    assert codes == [202, 202, 429]


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"password_check": None, "email_change_email": "2/hour"}})
def test_email_change_is_throttled_per_new_address(db):
    codes = []
    for _ in range(3):
        user = UserFactory()
        client = bearer(login(APIClient(), user.email)["access"])
        response = client.post(
            "/api/auth/email/change/", {"new_email": "victim@example.org", "password": PASSWORD}, format="json"
        )
        codes.append(response.status_code)
    assert codes == [202, 202, 429]


def test_the_confirmation_to_the_new_address_carries_no_names(db):
    user = UserFactory(first_name="VISIT http://evil.example", last_name="NOW")
    client = bearer(login(APIClient(), user.email)["access"])
    mail.outbox.clear()
    client.post("/api/auth/email/change/", {"new_email": "victim@example.org", "password": PASSWORD}, format="json")
    [confirm] = emails_to("victim@example.org")
    bodies = [confirm.body, *(alt[0] for alt in getattr(confirm, "alternatives", []))]
    assert not any("evil.example" in body for body in bodies)
    # The notice to the current (confirmed) address may greet the user by name.
    assert "VISIT" in emails_to(user.email)[0].body


# -- 5. registration per address ---------------------------------------------------------


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"register": None, "register_email": "2/hour"}})
def test_registration_is_throttled_per_address(user):
    mail.outbox.clear()
    codes = [register(user.email, ip=f"192.0.2.{i}").status_code for i in range(4)]
    assert codes == [201, 201, 429, 429]
    assert len(emails_to(user.email)) == 2


# -- 6. what deleting an account forgets --------------------------------------------------


def test_deleting_the_account_drops_its_session_log(user):
    client = APIClient(HTTP_USER_AGENT="Mozilla/5.0 (Ada's iPhone)", REMOTE_ADDR="203.0.113.7")
    access = login(client, user.email)["access"]
    assert Session.objects.filter(token__user=user).exists()
    assert bearer(access).delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not Session.objects.filter(token__user=user).exists()


def test_deleting_the_account_scrubs_its_notifications(user, auth_client):
    from bazary.notifications.models import Delivery, Notification

    old_email = user.email
    APIClient().post("/api/auth/password/reset/", {"email": old_email}, format="json")
    assert Delivery.objects.filter(recipient=user, address=old_email).exists()
    assert auth_client.delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not Notification.objects.filter(recipient=user).exists()
    kept = Delivery.objects.filter(recipient=user).exclude(kind="accounts.account_deleted")
    assert kept.exists()
    assert not kept.exclude(address="").exists()
    assert not kept.exclude(body="", html="", subject="").exists()
    # The goodbye mail still reaches the former address.
    assert emails_to(old_email)[-1].subject


# -- 7. token verify ------------------------------------------------------------------------


def test_verify_refuses_tokens_of_deleted_and_inactive_accounts(api_client, user, tokens):
    verify = lambda token: api_client.post("/api/auth/token/verify/", {"token": token}, format="json")  # noqa: E731
    assert verify(tokens["access"]).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert verify(tokens["access"]).status_code == 401
    assert verify(tokens["refresh"]).status_code == 401
    User.objects.filter(pk=user.pk).delete()
    assert verify(tokens["access"]).status_code == 401


# -- 8, 9, 10. the schema and swappable classes ----------------------------------------------


@pytest.fixture
def components(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()


def test_error_code_and_rotated_refresh_are_optional_in_the_schema(components):
    schemas = components["components"]["schemas"]
    assert "code" not in schemas["Error"].get("required", [])
    assert "detail" in schemas["Error"]["required"]
    assert schemas["RefreshResponse"]["required"] == ["access"]
    for path, item in components["paths"].items():
        if not path.startswith("/api/auth/"):
            continue
        for operation in item.values():
            bad_input = operation.get("responses", {}).get("400")
            if bad_input:
                schema = bad_input["content"]["application/json"]["schema"]
                assert schema.get("type") == "object", (path, schema)
                assert "required" not in schema, (path, schema)


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"login": None}})
def test_throttle_classes_are_swappable(api_client, user):
    with override_settings(
        BAZARY_ACCOUNTS={
            "THROTTLE_RATES": {"login": None},
            "THROTTLE_CLASSES": {"login": f"{__name__}.RefuseAll"},
        }
    ):
        assert attempt(api_client, user.email, PASSWORD).status_code == 429
    assert attempt(api_client, user.email, PASSWORD).status_code == 200


class ShopRegisterSerializer(RegisterSerializer):
    newsletter = serializers.BooleanField(required=False)


class ShopUserSerializer(UserSerializer):
    nickname = serializers.CharField(read_only=True, source="first_name")


class RefuseAll(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 60


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"THROTTLE_CLASSES": {"login": "bazary.accounts.adapter.DefaultAccountAdapter"}}, "bazary_accounts.E014"),
        ({"THROTTLE_CLASSES": {"nope": "bazary.accounts.throttling.LoginRateThrottle"}}, "bazary_accounts.E014"),
        ({"REGISTER_SERIALIZER": "bazary.accounts.adapter.DefaultAccountAdapter"}, "bazary_accounts.E006"),
        ({"ADAPTER": "bazary.accounts.serializers.UserSerializer"}, "bazary_accounts.E006"),
    ],
)
def test_import_strings_of_the_wrong_kind_are_reported(value, expected):
    from .test_settings_and_checks import check_ids

    with override_settings(BAZARY_ACCOUNTS=value):
        assert expected in check_ids()


def test_swapped_serializers_are_documented(api_client):
    with override_settings(
        BAZARY_ACCOUNTS={
            "REGISTER_SERIALIZER": f"{__name__}.ShopRegisterSerializer",
            "USER_SERIALIZER": f"{__name__}.ShopUserSerializer",
        }
    ):
        from drf_spectacular.generators import SchemaGenerator

        schema = SchemaGenerator().get_schema(request=None, public=True)
    register = schema["paths"]["/api/auth/register/"]["post"]
    assert register["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ShopRegister")
    assert register["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/ShopRegister")
    me = schema["paths"]["/api/auth/me/"]
    assert me["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ShopUser")
    assert "PatchedShopUser" in me["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert me["delete"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/DeleteAccount")


class MatchesEveryAddress(QuerySet):
    """A database whose case-insensitive match takes every address for the one asked."""

    def _filter_or_exclude(self, negate, args, kwargs):
        kwargs = {name: value for name, value in kwargs.items() if not name.endswith("__iexact")}
        return super()._filter_or_exclude(negate, args, kwargs)


def test_django_authentication_checks_the_key_too():
    """ModelBackend (the admin's login) looks users up by natural key."""
    from django.contrib.auth import authenticate

    alice = UserFactory(email="alice@example.com")
    assert authenticate(username="ALICE@example.com", password=PASSWORD) == alice
    # As if the database's match took the dotless i for i (PostgreSQL with a UTF-8 locale).
    with mock.patch.object(
        User.objects.__class__, "get_queryset", lambda manager: MatchesEveryAddress(manager.model, using=manager._db)
    ):
        assert authenticate(username="al\u0131ce@example.com", password=PASSWORD) is None
