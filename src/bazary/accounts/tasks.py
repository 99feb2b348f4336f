"""Mail that must not tell who has an account: one task per request, whatever the address.

``auth/password/reset/`` and ``auth/verify-email/resend/`` answer the same for
every address; so that their timing says nothing either, the request does the
same for every address: it enqueues :func:`send_account_email` with the
normalised address. The task looks the account up and, if the flow applies,
makes the token and sends the mail, outside the request (see
:func:`bazary.core.tasks.enqueue`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation

from bazary.core.tasks import enqueue, task

from . import activity, emails, tokens
from .conf import accounts_settings, get_adapter


def _password_reset(email: str, client: dict[str, Any] | None = None) -> None:
    adapter = get_adapter()
    user = adapter.get_user_by_email(email)
    if user is None or not adapter.can_login(user) or not user.has_usable_password():
        return
    activity.record(activity.EventKind.PASSWORD_RESET_REQUESTED, user=user, client=client or {})
    send_password_reset(user)


def send_password_reset(user: Any) -> None:
    """The reset mail to ``user``: a link with a fresh token (the caller decides the account may reset)."""
    adapter = get_adapter()
    uid, token = tokens.make_password_reset_uid(user), tokens.make_password_reset_token(user)
    emails.send(
        "password_reset",
        user,
        {
            "url": adapter.password_reset_url(None, uid, token),
            "uid": uid,
            "token": token,
            "email": adapter.get_email(user),
            "name": emails.recipient_name(user),
        },
    )


def _verify_email(email: str, client: dict[str, Any] | None = None) -> None:
    if accounts_settings.EMAIL_VERIFICATION == "none":
        return
    adapter = get_adapter()
    user = adapter.get_user_by_email(email)
    if user is not None and adapter.can_login(user) and not adapter.is_email_verified(user):
        send_verification(user, None)


def send_verification(user: Any, request: Any) -> None:
    """The verification mail: a link and the address, nothing the registrant wrote."""
    adapter = get_adapter()
    token = tokens.make_verify_email_token(user)
    emails.send(
        "verify_email",
        user,
        {"url": adapter.verify_email_url(request, token), "token": token, "email": adapter.get_email(user)},
    )


def _unlock(email: str, client: dict[str, Any] | None = None) -> None:
    adapter = get_adapter()
    user = adapter.get_user_by_email(email)
    if user is None or not adapter.can_login(user):
        return
    token = tokens.make_unlock_token(user)
    # No name: the address may not be verified (nothing the registrant wrote reaches it).
    emails.send(
        "unlock", user, {"url": adapter.unlock_url(None, token), "token": token, "email": adapter.get_email(user)}
    )


#: flow → what the task does with the address.
FLOWS: dict[str, Callable[[str, dict[str, Any] | None], None]] = {
    "password_reset": _password_reset,
    "verify_email": _verify_email,
    "unlock": _unlock,
}


@task()
def send_account_email(
    flow: str, email: str, language: str | None = None, client: dict[str, Any] | None = None
) -> None:
    """Look up the account of ``email`` and send it the ``flow`` mail if the flow applies to it.

    ``client`` is the requester's address and user agent (``activity.client_of``), for the activity log.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        FLOWS[flow](email, client)


def request_account_email(flow: str, email: str, request: Any = None) -> None:
    """Enqueue :func:`send_account_email` for ``email``, in the request's language, whoever has the address."""
    if flow not in FLOWS:
        raise ValueError(f"Unknown accounts email flow {flow!r}.")
    client = activity.client_of(request) if request is not None else None
    enqueue(send_account_email, flow, get_adapter().normalize_email(email), translation.get_language(), client)
