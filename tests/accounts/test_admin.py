"""The admin pages of bazary.accounts answer for a superuser."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bazary.accounts.models import AccountEvent, Login, Session
from bazary.testing.accounts import AddressFactory, UserFactory

from .conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("root@example.com", "root-password-123")
    client.force_login(admin)
    return client


def test_user_admin_pages(admin_client):
    user = UserFactory(first_name="Ada")
    AddressFactory(user=user)
    assert admin_client.get(reverse("admin:bazary_accounts_user_changelist") + "?q=Ada").status_code == 200
    assert admin_client.get(reverse("admin:bazary_accounts_user_change", args=[user.pk])).status_code == 200
    assert admin_client.get(reverse("admin:bazary_accounts_user_add")).status_code == 200


def test_creating_a_user_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:bazary_accounts_user_add"),
        {
            "email": "made@example.com",
            "usable_password": "true",
            "password1": "a long passw0rd!",
            "password2": "a long passw0rd!",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(email="made@example.com").check_password("a long passw0rd!")


def test_address_and_session_admin_pages(admin_client, api_client):
    user = UserFactory()
    address = AddressFactory(user=user)
    login(api_client, user.email, HTTP_USER_AGENT="Browser/1")
    session = Session.objects.get()
    for name, obj in (("address", address), ("session", session), ("login", Login.objects.get())):
        assert admin_client.get(reverse(f"admin:bazary_accounts_{name}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:bazary_accounts_{name}_change", args=[obj.pk])).status_code == 200


def test_deactivating_a_user_in_the_admin_revokes_their_logins(admin_client, api_client):
    user = UserFactory()
    pair = login(api_client, user.email)
    change = reverse("admin:bazary_accounts_user_change", args=[user.pk])
    # The change form as the browser posts it with "active" unticked.
    form = {
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "email_verified_at_0": "",
        "email_verified_at_1": "",
        "bazary_addresses-TOTAL_FORMS": "0",
        "bazary_addresses-INITIAL_FORMS": "0",
    }
    response = admin_client.post(change, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_active
    assert Login.objects.get(user=user).revoked_reason == "deactivated"
    event = AccountEvent.objects.get(kind="account_deactivated")
    assert (event.user, event.actor.email, event.data) == (user, "root@example.com", {"via": "admin"})
    # Ticking "active" again is a reactivation, by the same actor; a save that leaves it alone writes nothing.
    assert admin_client.post(change, {**form, "is_active": "on"}).status_code == 302
    assert admin_client.post(change, {**form, "is_active": "on", "first_name": "Ada"}).status_code == 302
    assert list(
        AccountEvent.objects.filter(kind__startswith="account_").values_list("kind", flat=True).order_by("pk")
    ) == [
        "account_deactivated",
        "account_reactivated",
    ]
    user.refresh_from_db()
    user.is_active = True
    user.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api_client.get("/api/auth/me/").status_code == 401
