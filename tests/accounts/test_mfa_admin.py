"""The admin of the second factors: read-only lists without secrets, and the "reset" action."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from bazary.accounts.activity import EventKind
from bazary.accounts.mfa import recovery, totp
from bazary.accounts.mfa.models import Passkey, RecoveryCode, TOTPDevice
from bazary.accounts.models import AccountEvent
from bazary.testing.accounts import UserFactory

pytestmark = pytest.mark.django_db

LISTS = ("totpdevice", "recoverycode", "passkey")


def changelist(name: str) -> str:
    return reverse(f"admin:bazary_accounts_{name}_changelist")


def with_factors(**kwargs):
    """A user with a confirmed TOTP device, its recovery codes and a passkey; ``(user, secret, codes)``."""
    user = UserFactory(**kwargs)
    secret, _uri, _qr = totp.begin_setup(user)
    TOTPDevice.objects.filter(user=user).update(confirmed_at=timezone.now())
    codes = recovery.generate(user)
    Passkey.objects.create(user=user, name="Laptop", credential_id=f"cred-{user.pk}", public_key=b"cose-key")
    return user, secret, codes


@pytest.fixture
def admin_user(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_lists_and_pages_show_no_secret(admin_client):
    user, secret, codes = with_factors(email="ada@example.com")
    device = TOTPDevice.objects.get(user=user)
    digests = list(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    pages = [changelist(name) for name in LISTS] + [
        reverse("admin:bazary_accounts_totpdevice_change", args=[device.pk]),
        reverse("admin:bazary_accounts_recoverycode_change", args=[RecoveryCode.objects.filter(user=user).first().pk]),
        reverse("admin:bazary_accounts_passkey_change", args=[Passkey.objects.get(user=user).pk]),
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "ada@example.com" in html
        for secret_text in (secret, device.secret, *digests, *codes, *(c.replace("-", "") for c in codes)):
            assert secret_text not in html, page


def test_the_lists_are_read_only(admin_client):
    user, _secret, _codes = with_factors()
    device = TOTPDevice.objects.get(user=user)
    assert admin_client.get(reverse("admin:bazary_accounts_totpdevice_add")).status_code == 403
    assert admin_client.post(reverse("admin:bazary_accounts_totpdevice_delete", args=[device.pk])).status_code == 403
    response = admin_client.get(changelist("totpdevice"))
    actions = [choice[0] for choice in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert "reset_mfa" in actions
    change = reverse("admin:bazary_accounts_totpdevice_change", args=[device.pk])
    admin_client.post(change, {"confirmed_at_0": "", "confirmed_at_1": ""})
    device.refresh_from_db()
    assert device.confirmed_at is not None


@pytest.mark.parametrize("name", LISTS)
def test_a_list_makes_the_same_queries_at_1_and_at_40_accounts(admin_client, name, django_assert_max_num_queries):
    with_factors()
    with django_assert_max_num_queries(20) as one:
        assert admin_client.get(changelist(name)).status_code == 200
    for _ in range(39):
        with_factors()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = admin_client.get(changelist(name))
    assert response.context["cl"].result_count == (400 if name == "recoverycode" else 40)


def reset(client, name, pks, reason=None):
    data = {"action": "reset_mfa", ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]}
    if reason is not None:
        data |= {"confirm": "yes", "reason": reason}
    return client.post(changelist(name), data)


def test_reset_asks_for_a_reason_then_writes_the_staff_apis_event(admin_client, admin_user):
    ada, _s, _c = with_factors(email="ada@example.com")
    bob, _s, _c = with_factors(email="bob@example.com")
    kept, _s, _c = with_factors(email="kept@example.com")
    # Two passkeys of one account: that account is reset (and logged) once.
    Passkey.objects.create(user=ada, name="Phone", credential_id="cred-phone", public_key=b"k")
    selected = Passkey.objects.filter(user__in=[ada, bob]).values_list("pk", flat=True)

    confirmation = reset(admin_client, "passkey", selected)
    assert confirmation.status_code == 200
    assert "ada@example.com" in confirmation.content.decode()
    assert Passkey.objects.filter(user=ada).count() == 2  # nothing yet

    blank = reset(admin_client, "passkey", selected, reason="  ")
    assert blank.status_code == 200
    assert blank.context["form"].errors["reason"]
    assert AccountEvent.objects.filter(kind=EventKind.MFA_RESET).count() == 0

    done = reset(admin_client, "passkey", selected, reason="lost phone, identity checked by call")
    assert done.status_code == 302
    for user in (ada, bob):
        assert not TOTPDevice.objects.filter(user=user).exists()
        assert not RecoveryCode.objects.filter(user=user).exists()
        assert not Passkey.objects.filter(user=user).exists()
    assert Passkey.objects.filter(user=kept).exists()
    assert TOTPDevice.objects.filter(user=kept).exists()
    events = AccountEvent.objects.filter(kind=EventKind.MFA_RESET).order_by("user_id")
    assert [(e.user, e.actor, e.data) for e in events] == [
        (ada, admin_user, {"reason": "lost phone, identity checked by call"}),
        (bob, admin_user, {"reason": "lost phone, identity checked by call"}),
    ]


def test_reset_from_the_user_admin_writes_what_the_staff_api_writes(admin_client, admin_user, client):
    from rest_framework.test import APIClient

    ada, _s, _c = with_factors(email="ada@example.com")
    bob, _s, _c = with_factors(email="bob@example.com")
    assert reset(admin_client, "user", [ada.pk], reason="support ticket 42").status_code == 302
    api = APIClient()
    api.force_authenticate(admin_user)
    answer = api.post(f"/api/auth/users/{bob.pk}/reset_mfa/", {"reason": "support ticket 42"}, format="json")
    assert answer.status_code == 200, answer.content
    by_admin, by_api = AccountEvent.objects.filter(kind=EventKind.MFA_RESET).order_by("pk")
    assert (by_admin.actor, by_admin.data, by_admin.ip) == (by_api.actor, by_api.data, by_api.ip)
    assert (by_admin.user, by_api.user) == (ada, bob)


def test_reset_follows_the_staff_apis_rules(client):
    manager = UserFactory(is_staff=True)
    manager.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="bazary_accounts", codename__in=["change_user", "view_totpdevice"]
        )
    )
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(content_type__app_label="bazary_accounts", codename__in=["view_totpdevice"])
    )
    colleague, _s, _c = with_factors(is_staff=True, email="colleague@example.com")
    customer, _s, _c = with_factors(email="customer@example.com")
    devices = {u: TOTPDevice.objects.get(user=u).pk for u in (colleague, customer)}

    # Without change_user there is no such action.
    client.force_login(viewer)
    assert client.get(changelist("totpdevice")).context["action_form"] is None  # the list has no action at all
    reset(client, "totpdevice", [devices[customer]], reason="x")
    assert TOTPDevice.objects.filter(user=customer).exists()

    # A manager who is not a superuser cannot reset another staff account: nothing is removed.
    client.force_login(manager)
    response = reset(client, "totpdevice", list(devices.values()), reason="x")
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user__in=[colleague, customer]).count() == 2
    assert not AccountEvent.objects.filter(kind=EventKind.MFA_RESET).exists()
    messages = [str(m) for m in client.get(changelist("totpdevice")).context["messages"]]
    assert any("superuser" in m for m in messages)

    assert reset(client, "totpdevice", [devices[customer]], reason="x").status_code == 302
    assert not TOTPDevice.objects.filter(user=customer).exists()
    assert AccountEvent.objects.get(kind=EventKind.MFA_RESET).actor == manager
