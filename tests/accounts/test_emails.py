"""Mail goes through bazary.notifications when it is installed (this project)."""

from unittest import mock

import pytest
from django.core import mail

from bazary.accounts import emails
from bazary.notifications.kinds import registry

from .conftest import PASSWORD, query_of

pytestmark = pytest.mark.django_db


def test_every_accounts_kind_is_registered_as_mandatory_email():
    for suffix in emails.KINDS:
        kind = registry.get(f"accounts.{suffix}")
        # The new sign-in notice is the one a user may turn off (on by default).
        assert kind.mandatory is (suffix not in emails.OPTIONAL_KINDS)
        assert kind.default_channels == ("email",)
        assert kind.template == f"bazary/accounts/email/{suffix}"


def test_registration_mail_goes_through_notify(api_client):
    with mock.patch("bazary.notifications.api.notify") as notify:
        api_client.post("/api/auth/register/", {"email": "n@example.com", "password": PASSWORD}, format="json")
    ((user, kind, context), kwargs) = notify.call_args
    assert kind == "accounts.verify_email"
    assert user.email == "n@example.com"
    assert kwargs == {"email": None}
    assert all(isinstance(value, str) for value in context.values())
    assert context["url"].startswith("http://localhost:8000/verify-email?token=")


def test_email_change_link_goes_to_the_new_address(auth_client, user):
    with mock.patch("bazary.notifications.api.notify") as notify:
        auth_client.post("/api/auth/email/change/", {"new_email": "n@example.com", "password": PASSWORD})
    calls = {call.args[1]: call.kwargs for call in notify.call_args_list}
    assert calls == {
        "accounts.email_change_confirm": {"email": "n@example.com"},
        "accounts.email_change_notice": {"email": None},
    }


def test_the_delivered_mail_has_subject_text_and_html(api_client):
    api_client.post("/api/auth/register/", {"email": "n@example.com", "password": PASSWORD}, format="json")
    (message,) = mail.outbox
    assert message.subject == "Verify your email address"
    assert query_of(message)["token"]
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http://localhost:8000/verify-email?token=' in html


def test_unknown_kinds_are_a_programming_error(user):
    with pytest.raises(ValueError, match="Unknown"):
        emails.send("nope", user, {})
