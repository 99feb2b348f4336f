"""Invisible characters and IDNA spellings are one address (issue 11 item 7).

Registration and email change refuse an address with an invisible character
anywhere (400); every lookup (login, reset, resend, throttles, lockout) removes
them, so each spelling is the one account and shares its counters.
"""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core import mail
from django.test import override_settings
from rest_framework.test import APIClient

from bazary.accounts.conf import get_adapter
from bazary.testing.accounts import UserFactory

from .conftest import PASSWORD, emails_to, login

#: Every spelling of one address shares its throttle bucket (see the throttle tests below).
NO_THROTTLES = override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"register": None, "register_email": None}})
pytestmark = pytest.mark.django_db
User = get_user_model()

#: The characters named in the issue, and their kin.
INVISIBLE = {
    "zero-width space": "\u200b",
    "soft hyphen": "\u00ad",
    "right-to-left mark": "\u200f",
    "left-to-right mark": "\u200e",
    "right-to-left override": "\u202e",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
}


def spellings(char: str) -> list[str]:
    """``x@example.com`` with ``char`` in the domain, at its end, and in the local part."""
    return [f"x@exa{char}mple.com", f"x@example.com{char}", f"x@{char}example.com", f"x{char}@example.com"]


def register(email: str):
    return APIClient().post("/api/auth/register/", {"email": email, "password": PASSWORD}, format="json")


@pytest.mark.parametrize("name", INVISIBLE)
@NO_THROTTLES
def test_an_address_with_an_invisible_character_cannot_register(name):
    UserFactory(email="x@example.com")
    mail.outbox.clear()
    for email in spellings(INVISIBLE[name]):
        response = register(email)
        assert response.status_code == 400, (name, email)
        assert response.json()["email"] == ["Enter a valid email address."]
    assert User.objects.count() == 1
    assert mail.outbox == []  # not even an "account exists" mail


@pytest.mark.parametrize("name", INVISIBLE)
@NO_THROTTLES
def test_an_address_with_an_invisible_character_is_refused_when_nobody_has_it_either(name):
    for email in spellings(INVISIBLE[name]):
        assert register(email).status_code == 400, (name, email)
    assert not User.objects.exists()


def test_a_punycode_label_that_decodes_to_an_invisible_character_is_refused():
    label = "exa\u200bmple".encode("punycode").decode("ascii")
    assert register(f"x@xn--{label}.com").status_code == 400
    assert not User.objects.exists()


def test_the_email_change_refuses_an_invisible_character_too(auth_client):
    response = auth_client.post("/api/auth/email/change/", {"new_email": "n@exa\u200bmple.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "new_email" in response.json()


@NO_THROTTLES
def test_the_punycode_and_unicode_spellings_of_a_domain_are_one_account():
    assert register("x@bücher.example").status_code == 201
    (user,) = User.objects.all()
    assert user.email == "x@bücher.example"
    mail.outbox.clear()
    assert register("x@XN--BCHER-KVA.example").status_code == 201  # the usual silent 201
    assert User.objects.count() == 1
    (message,) = mail.outbox
    assert message.subject == "You already have an account"
    adapter = get_adapter()
    assert adapter.get_user_by_email("x@xn--bcher-kva.example") == user


def test_an_account_stored_with_a_punycode_domain_is_found_by_its_unicode_spelling():
    legacy = UserFactory(email="x@xn--bcher-kva.example")  # stored before domains were decoded
    assert get_adapter().get_user_by_email("x@bücher.example") == legacy
    assert register("x@bücher.example").status_code == 201
    assert User.objects.count() == 1


@pytest.mark.parametrize("name", INVISIBLE)
def test_every_invisible_spelling_logs_in_to_the_one_account(name):
    user = UserFactory(email="x@example.com")
    for email in spellings(INVISIBLE[name]):
        assert get_adapter().get_user_by_email(email) == user, (name, email)
        assert authenticate(username=email, password=PASSWORD) == user
    assert login(APIClient(), f"x@exa{INVISIBLE[name]}mple.com")["access"]


@override_settings(BAZARY_ACCOUNTS={"LOCKOUT_THRESHOLD": 3, "THROTTLE_RATES": {"login": None}})
def test_every_invisible_spelling_counts_against_the_one_lock():
    UserFactory(email="x@example.com")
    client = APIClient()
    for email in ["x@exa\u200bmple.com", "x@exa\u00admple.com", "x@example.com\u200b"]:
        client.post("/api/auth/token/", {"email": email, "password": "wrong"}, format="json")
    locked = client.post("/api/auth/token/", {"email": "x@example.com", "password": PASSWORD}, format="json")
    assert locked.status_code == 403
    assert locked.json()["code"] == "account_locked"


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"register": None, "register_email": "2/hour"}})
def test_one_inbox_cannot_be_flooded_past_the_limit_with_invisible_spellings():
    UserFactory(email="x@example.com")
    codes = [
        APIClient(REMOTE_ADDR=f"192.0.2.{i}")
        .post("/api/auth/register/", {"email": email, "password": PASSWORD}, format="json")
        .status_code
        for i, email in enumerate(
            ["x@example.com", "x@exa\u200bmple.com", "x@exa\u00admple.com", "x@example.com\u200f"]
        )
    ]
    assert codes == [201, 400, 429, 429]  # the second spelling is refused, and still counts against the inbox
    assert len(emails_to("x@example.com")) == 1


@override_settings(BAZARY_ACCOUNTS={"THROTTLE_RATES": {"password_reset": None, "password_reset_email": "2/hour"}})
def test_the_reset_throttle_counts_every_invisible_spelling():
    UserFactory(email="x@example.com")
    codes = [
        APIClient(REMOTE_ADDR=f"192.0.2.{i}").post("/api/auth/password/reset/", {"email": email}).status_code
        for i, email in enumerate(["x@exa\u200bmple.com", "x@exa\u00admple.com", "x@example.com\u200b"])
    ]
    assert codes == [202, 202, 429]
    assert len(emails_to("x@example.com")) == 2


def test_normalize_email_is_the_one_form():
    adapter = get_adapter()
    assert adapter.normalize_email(" x\u200b@EXA\u00adMPLE.com\u200f ") == "x@example.com"
    assert adapter.normalize_email("x@xn--bcher-kva.EXAMPLE") == "x@bücher.example"
    assert adapter.email_key("X@exa\u200bmple.com") == adapter.email_key("x@example.com")
    assert User.objects.normalize_email("x@exa\u200bmple.com") == "x@example.com"
