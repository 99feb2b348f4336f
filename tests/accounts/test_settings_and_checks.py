"""BAZARY_ACCOUNTS: defaults, overrides, swappable classes and system checks."""

import pytest
from django.contrib.auth.models import User as DjangoUser
from django.core.checks import run_checks
from django.test import override_settings
from rest_framework import serializers

from bazary.accounts import checks as accounts_checks
from bazary.accounts.adapter import DefaultAccountAdapter
from bazary.accounts.conf import BLACKLIST_APP, accounts_settings
from bazary.accounts.serializers import RegisterSerializer, UserSerializer

from .conftest import PASSWORD


def check_ids() -> set[str]:
    return {message.id for message in run_checks(tags=["bazary"])}


def test_defaults():
    assert accounts_settings.EMAIL_VERIFICATION == "mandatory"
    assert accounts_settings.ROTATE_REFRESH_TOKENS is True
    assert accounts_settings.LOCKOUT_THRESHOLD == 5
    assert accounts_settings.THROTTLE_RATES["login"] == "10/min"
    assert accounts_settings.REGISTER_SERIALIZER is RegisterSerializer
    assert accounts_settings.USER_SERIALIZER is UserSerializer
    assert accounts_settings.ADAPTER is DefaultAccountAdapter


def test_throttle_rates_merge_over_the_defaults():
    with override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"login": "1/min"}}):
        assert accounts_settings.THROTTLE_RATES["login"] == "1/min"
        assert accounts_settings.THROTTLE_RATES["register"] == "5/min"
    assert accounts_settings.THROTTLE_RATES["login"] == "10/min"


def test_checks_pass_on_defaults():
    assert not {i for i in check_ids() if i.startswith("bazary_accounts")}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"EMAIL_VERIFICATION": "sometimes"}, "bazary_accounts.E005"),
        ({"EMAIL_VERIFICATON": "none"}, "bazary_accounts.E002"),
        ({"LOCKOUT_THRESHOLD": "5"}, "bazary_accounts.E003"),
        ({"ADAPTER": "no.such.Adapter"}, "bazary_accounts.E004"),
        ({"VERIFY_EMAIL_URL": "https://shop.example/verify"}, "bazary_accounts.E010"),
        ({"PASSWORD_RESET_URL": "https://shop.example/reset?token={token}"}, "bazary_accounts.E010"),
        ({"EMAIL_CHANGE_URL": "https://shop.example/{token}/{other}"}, "bazary_accounts.E010"),
        ({"THROTTLE_RATES": {"login": "often"}}, "bazary_accounts.E011"),
        ({"LOCKOUT_DURATION": 0}, "bazary_accounts.E013"),
        ({"MAX_ADDRESSES": -1}, "bazary_accounts.E013"),
    ],
)
def test_bad_settings_are_reported(value, expected):
    with override_settings(BAZARY_ACCOUNTS=value):
        assert expected in check_ids()


def test_rotation_without_the_blacklist_app_is_reported(monkeypatch):
    real = accounts_checks.apps.is_installed
    monkeypatch.setattr(accounts_checks.apps, "is_installed", lambda name: name != BLACKLIST_APP and real(name))
    ids = check_ids()
    assert "bazary_accounts.E012" in ids
    assert "bazary_accounts.E020" in ids


def test_a_user_model_without_a_unique_email_is_reported(monkeypatch):
    monkeypatch.setattr(accounts_checks, "get_user_model", lambda: DjangoUser)
    ids = check_ids()
    assert "bazary_accounts.E021" in ids
    assert "bazary_accounts.W022" in ids
    with override_settings(BAZARY_ACCOUNTS={"EMAIL_VERIFICATION": "none"}):
        assert "bazary_accounts.W022" not in check_ids()


def test_jwt_authentication_that_ignores_revocation_is_reported():
    assert "bazary_accounts.W023" not in check_ids()
    plain = "rest_framework_simplejwt.authentication.JWTAuthentication"
    with override_settings(BAZARY_CORE={"AUTHENTICATION_CLASSES": [plain]}):
        assert "bazary_accounts.W023" in check_ids()


class NoExampleOrgAdapter(DefaultAccountAdapter):
    def can_login(self, user):
        return super().can_login(user) and not user.email.endswith("@example.org")


class RegisterWithTermsSerializer(RegisterSerializer):
    accept_terms = serializers.BooleanField(write_only=True)

    def validate_accept_terms(self, value):
        if not value:
            raise serializers.ValidationError("You must accept the terms.")
        return value

    def create(self, validated_data):
        validated_data.pop("accept_terms")
        return super().create(validated_data)


class PublicUserSerializer(UserSerializer):
    optional_fields = ("first_name", "last_name", "date_joined")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["shout"] = data["email"].upper()
        return data


@pytest.mark.django_db
@override_settings(BAZARY_ACCOUNTS={"ADAPTER": f"{__name__}.NoExampleOrgAdapter"})
def test_the_adapter_decides_who_may_log_in(api_client):
    from bazary.testing.accounts import UserFactory

    UserFactory(email="a@example.org")
    UserFactory(email="a@example.com")
    refused = api_client.post("/api/auth/token/", {"email": "a@example.org", "password": PASSWORD}, format="json")
    assert refused.status_code == 401
    allowed = api_client.post("/api/auth/token/", {"email": "a@example.com", "password": PASSWORD}, format="json")
    assert allowed.status_code == 200


@pytest.mark.django_db
@override_settings(BAZARY_ACCOUNTS={"REGISTER_SERIALIZER": f"{__name__}.RegisterWithTermsSerializer"})
def test_the_register_serializer_is_swappable(api_client):
    payload = {"email": "t@example.com", "password": PASSWORD}
    assert api_client.post("/api/auth/register/", payload, format="json").status_code == 400
    accepted = api_client.post("/api/auth/register/", {**payload, "accept_terms": True}, format="json")
    assert accepted.status_code == 201


@pytest.mark.django_db
@override_settings(BAZARY_ACCOUNTS={"USER_SERIALIZER": f"{__name__}.PublicUserSerializer"})
def test_the_user_serializer_is_swappable(auth_client, user):
    assert auth_client.get("/api/auth/me/").json()["shout"] == user.email.upper()


def test_a_non_string_adapter_does_not_crash_the_checks():
    with override_settings(BAZARY_ACCOUNTS={"ADAPTER": 42}):
        assert "bazary_accounts.E003" in check_ids()
