"""bazary's user model and its manager."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, transaction

from bazary.testing.accounts import AddressFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_create_user_normalises_the_domain():
    user = User.objects.create_user("Ada@EXAMPLE.com", "pw-123456")
    assert user.email == "Ada@example.com"
    assert user.check_password("pw-123456")
    assert not user.is_staff
    assert not user.is_superuser
    assert user.email_verified_at is None
    assert not user.is_email_verified


def test_create_user_needs_an_email():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user("", "pw")


def test_create_superuser():
    admin = User.objects.create_superuser("root@example.com", "pw")
    assert admin.is_staff
    assert admin.is_superuser
    with pytest.raises(ValueError, match="superuser"):
        User.objects.create_superuser("x@example.com", "pw", is_staff=False)


def test_a_superuser_from_createsuperuser_can_sign_in_to_the_api(monkeypatch):
    # With mandatory verification (the default) an unverified superuser got 403
    # email_not_verified from auth/token/ and could not reach the staff API.
    from django.core.management import call_command
    from rest_framework.test import APIClient

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-root-password-123")
    call_command("createsuperuser", "--noinput", "--email", "root@example.com", stdout=io.StringIO())
    assert User.objects.get(email="root@example.com").is_email_verified
    response = APIClient().post(
        "/api/auth/token/", {"email": "root@example.com", "password": "a-long-root-password-123"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert "access" in response.json()


def test_emails_are_unique_whatever_the_case():
    User.objects.create_user("ada@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("ADA@example.com")


def test_login_by_natural_key_is_case_insensitive():
    user = User.objects.create_user("ada@example.com", "pw-123456")
    assert User.objects.get_by_natural_key("ADA@Example.com") == user
    assert authenticate(username="Ada@example.com", password="pw-123456") == user


def test_names_and_str():
    user = User(email="ada@EXAMPLE.com", first_name="Ada", last_name="Lovelace")
    user.clean()
    assert user.email == "ada@example.com"
    assert str(user) == "ada@example.com"
    assert user.get_full_name() == "Ada Lovelace"
    assert user.get_short_name() == "Ada"


def test_address_str():
    address = AddressFactory(recipient_name="Ada", line1="1 Main St", city="Bath", country="GB")
    assert str(address) == "Ada, 1 Main St, Bath (GB)"
