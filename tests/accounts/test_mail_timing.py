"""Reset and resend do the same for every address; no mail is sent in the request (issue 11 item 8)."""

import json
import time
import urllib.request
from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django.test.signals import template_rendered

from bazary.accounts.tasks import send_account_email
from bazary.core import tasks
from bazary.core.email import send_templated_email_task
from bazary.notifications.models import Delivery
from bazary.testing.accounts import UserFactory

from . import blocking_mail
from .conftest import emails_to

DUMMY_TASKS = {"default": {"BACKEND": f"{tasks.ImmediateBackend.__module__.rsplit('.', 1)[0]}.dummy.DummyBackend"}}
NO_THROTTLES = {
    "THROTTLE_RATES": {
        "password_reset": None,
        "password_reset_email": None,
        "verify_email_resend": None,
        "verify_email_resend_email": None,
    }
}


@contextmanager
def in_a_request():
    """The signals around a request, as Django's test client sends them (connections left open)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None, environ={})
        try:
            yield
        finally:
            request_finished.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@contextmanager
def rendered_templates():
    names: list[str] = []

    def record(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


@pytest.mark.django_db
@override_settings(TASKS=DUMMY_TASKS, BAZARY_ACCOUNTS=NO_THROTTLES)
@pytest.mark.parametrize(
    ("path", "flow"),
    [("/api/auth/password/reset/", "password_reset"), ("/api/auth/verify-email/resend/", "verify_email")],
)
def test_a_known_and_an_unknown_address_enqueue_the_same_task_and_render_nothing(api_client, path, flow):
    UserFactory(email="known@example.com", unverified=True)
    backend = tasks.default_task_backend
    backend.clear()
    with rendered_templates() as templates:
        known = api_client.post(path, {"email": "Known@EXAMPLE.com"}, format="json")
        unknown = api_client.post(path, {"email": "nobody@example.com"}, format="json")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    # The reset carries the requester's address for the activity log, the same for both.
    client = {"ip": "127.0.0.1", "user_agent": ""} if flow == "password_reset" else None
    assert [(r.task.name, r.args) for r in backend.results] == [
        (send_account_email.name, [flow, "Known@example.com", "en-us", client]),
        (send_account_email.name, [flow, "nobody@example.com", "en-us", client]),
    ]
    assert all(r.task.func is send_account_email.func for r in backend.results)
    assert not [name for name in templates if "bazary/accounts/email" in name]
    assert mail.outbox == []
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_the_task_sends_the_reset_mail_to_an_account_and_nothing_otherwise():
    user = UserFactory(email="known@example.com")
    send_account_email.enqueue("password_reset", "nobody@example.com", "en-us")
    assert mail.outbox == []
    send_account_email.enqueue("password_reset", "known@example.com", "en-us")
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "uid=" in message.body


@pytest.mark.django_db
def test_the_resend_task_mails_only_unverified_accounts():
    UserFactory(email="verified@example.com")
    UserFactory(email="unverified@example.com", unverified=True)
    for email in ("verified@example.com", "unverified@example.com", "nobody@example.com"):
        send_account_email.enqueue("verify_email", email, "en-us")
    assert [m.to for m in mail.outbox] == [["unverified@example.com"]]


@pytest.mark.django_db
def test_an_immediate_task_enqueued_in_a_request_runs_after_the_response():
    with in_a_request():
        result = tasks.enqueue(
            send_templated_email_task, "bazary/accounts/email/account_deleted", {"email": "a@x.io"}, ["a@x.io"]
        )
        assert result is None
        assert mail.outbox == []  # not inside the request
    assert [m.to for m in mail.outbox] == [["a@x.io"]]


@pytest.mark.django_db
def test_outside_a_request_an_immediate_task_runs_at_once():
    result = tasks.enqueue(
        send_templated_email_task, "bazary/accounts/email/account_deleted", {"email": "a@x.io"}, ["a@x.io"]
    )
    assert result.status == tasks.TaskResultStatus.SUCCESSFUL
    assert len(mail.outbox) == 1


@override_settings(TASKS=DUMMY_TASKS)
@pytest.mark.django_db
def test_a_backend_that_runs_elsewhere_gets_the_task_at_once_even_in_a_request():
    tasks.default_task_backend.clear()
    with in_a_request():
        assert tasks.enqueue(send_templated_email_task, "t", {}, ["a@x.io"]) is not None
        assert len(tasks.default_task_backend.results) == 1


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="tests.accounts.blocking_mail.BlockingEmailBackend", BAZARY_ACCOUNTS=NO_THROTTLES)
def test_on_a_real_server_the_response_arrives_before_the_mail_is_sent(live_server):
    """runserver's WSGI server, the embedded default (no TASKS): the answer does not wait for SMTP.

    The backend holds the mail until the test has the response: had the mail been
    sent inside the request, the response would only come after the backend's
    10 s timeout, and the backend would record that it was never released.
    """
    UserFactory(email="known@example.com")
    blocking_mail.release.clear()
    blocking_mail.calls.clear()
    request = urllib.request.Request(
        f"{live_server.url}/api/auth/password/reset/",
        data=json.dumps({"email": "known@example.com"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 202
            assert blocking_mail.calls == []  # the mail was not sent before the answer
    finally:
        blocking_mail.release.set()
    deadline = time.monotonic() + 10
    while not emails_to("known@example.com") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert blocking_mail.calls == [True]
    assert len(emails_to("known@example.com")) == 1
