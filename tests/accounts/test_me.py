"""The profile: read, safe updates, deletion with anonymisation."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from bazary.accounts.models import Address
from bazary.testing.accounts import AddressFactory

from .conftest import PASSWORD, emails_to

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_get_me(auth_client, user):
    response = auth_client.get("/api/auth/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk
    assert body["email"] == user.email
    assert body["first_name"] == "Ada"
    assert body["email_verified"] is True
    assert "password" not in body


def test_me_needs_authentication(api_client):
    assert api_client.get("/api/auth/me/").status_code == 401


def test_patch_changes_names_and_ignores_privileged_fields(auth_client, user):
    response = auth_client.patch(
        "/api/auth/me/",
        {
            "first_name": "Augusta",
            "email": "evil@example.com",
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
            "password": "pwned-password-1",
            "email_verified_at": None,
            "id": 999,
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["first_name"] == "Augusta"
    user.refresh_from_db()
    assert user.first_name == "Augusta"
    assert user.email != "evil@example.com"
    assert not user.is_staff
    assert not user.is_superuser
    assert user.is_active
    assert user.check_password(PASSWORD)
    assert user.email_verified_at is not None


@pytest.mark.parametrize("payload", [{"first_name": "x" * 10_000}, {"last_name": "a\x00b"}])
def test_patch_rejects_hostile_values(auth_client, payload):
    assert auth_client.patch("/api/auth/me/", payload, format="json").status_code == 400


def test_put_is_not_allowed(auth_client):
    assert auth_client.put("/api/auth/me/", {"first_name": "x"}, format="json").status_code == 405


def test_delete_needs_the_password(auth_client, user):
    assert auth_client.delete("/api/auth/me/", {"password": "wrong"}, format="json").status_code == 400
    assert auth_client.delete("/api/auth/me/", {}, format="json").status_code == 400
    user.refresh_from_db()
    assert user.is_active


def test_delete_anonymises_revokes_and_frees_the_address(api_client, auth_client, user, tokens):
    email = user.email
    AddressFactory(user=user)
    response = auth_client.delete("/api/auth/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204

    user.refresh_from_db()
    assert not user.is_active
    assert user.email != email
    assert user.email.endswith(".invalid")
    assert user.first_name == user.last_name == ""
    assert not user.has_usable_password()
    assert not Address.objects.filter(user=user).exists()
    assert emails_to(email)  # a goodbye to the former address

    # Tokens are dead at once.
    assert auth_client.get("/api/auth/me/").status_code == 401
    assert api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}).status_code == 401
    # The address is free to register again.
    response = APIClient().post("/api/auth/register/", {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 201
    assert User.objects.filter(email=email, is_active=True).count() == 1
