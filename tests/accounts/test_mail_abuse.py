"""Mail to an address not proven to be the registrant's carries nothing the registrant wrote (issue 11 item 10)."""

import pytest
from django.core import mail

from bazary.testing.accounts import UserFactory

from .conftest import PASSWORD, emails_to

pytestmark = pytest.mark.django_db

PHISH = "Claim your refund: pay at http://phish.example/pay"


def _everything(message) -> str:
    """Subject, text body and every alternative (HTML) of a message."""
    return "\n".join([message.subject, message.body, *(content for content, _type in message.alternatives)])


def test_the_verification_mail_carries_no_first_or_last_name(api_client):
    body = {"email": "victim@example.com", "password": PASSWORD, "first_name": PHISH, "last_name": PHISH}
    assert api_client.post("/api/auth/register/", body, format="json").status_code == 201
    (message,) = emails_to("victim@example.com")
    assert message.subject == "Verify your email address"
    assert message.alternatives  # the HTML part is checked too
    text = _everything(message)
    assert "phish" not in text.lower()
    assert "refund" not in text.lower()


def test_a_resent_verification_mail_carries_no_name_either(api_client):
    UserFactory(email="victim@example.com", first_name=PHISH, unverified=True)
    assert api_client.post("/api/auth/verify-email/resend/", {"email": "victim@example.com"}).status_code == 202
    (message,) = emails_to("victim@example.com")
    assert "phish" not in _everything(message).lower()


def test_account_exists_mail_to_an_unverified_account_carries_no_name(api_client):
    # Someone registered the victim's address with a phishing name and never verified it;
    # registering it again mails "account exists" to that address.
    UserFactory(email="victim@example.com", first_name=PHISH, unverified=True)
    mail.outbox.clear()
    body = {"email": "victim@example.com", "password": PASSWORD}
    assert api_client.post("/api/auth/register/", body, format="json").status_code == 201
    (message,) = emails_to("victim@example.com")
    assert message.subject == "You already have an account"
    assert "phish" not in _everything(message).lower()


def test_password_reset_mail_to_an_unverified_account_carries_no_name(api_client):
    UserFactory(email="victim@example.com", first_name=PHISH, unverified=True)
    assert api_client.post("/api/auth/password/reset/", {"email": "victim@example.com"}).status_code == 202
    (message,) = emails_to("victim@example.com")
    assert message.subject == "Reset your password"
    assert "phish" not in _everything(message).lower()


def test_a_verified_account_is_still_greeted_by_name(api_client):
    UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    assert api_client.post("/api/auth/password/reset/", {"email": "ada@example.com"}).status_code == 202
    (message,) = emails_to("ada@example.com")
    assert "Hello Ada Lovelace," in message.body
