"""Every email bazary.accounts sends goes through :func:`send`.

With ``bazary.notifications`` installed, mail is a notification kind
(``accounts.<kind>``): recorded, retried and shown in the user's preferences.
Without it, the message is rendered and sent by a Django task. Either way the
request never waits on SMTP and the context holds only strings (JSON for tasks).
"""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from bazary.core.email import Locale, enqueue_templated_email, recipient_locale

TEMPLATE_DIR = "bazary/accounts/email"

#: code suffix → verbose name; each has ``<TEMPLATE_DIR>/<suffix>{_subject.txt,.txt,.html}``.
KINDS: dict[str, Any] = {
    "verify_email": _("Verify your email address"),
    "account_exists": _("Someone tried to register with your address"),
    "password_reset": _("Password reset"),
    "password_changed": _("Your password was changed"),
    "email_change_confirm": _("Confirm your new email address"),
    "email_change_notice": _("Your email address is being changed"),
    "account_deleted": _("Your account was deleted"),
    "unlock": _("Failed logins to your account"),
    "new_sign_in": _("New sign-in to your account"),
}

#: Kinds a user may turn off in their notification preferences (on by default); the others are mandatory.
OPTIONAL_KINDS = frozenset({"new_sign_in"})


#: Context keys of one-time secrets in these mails (the link and its token).
SECRET_CONTEXT = ("url", "token")


def template_for(kind: str) -> str:
    return f"{TEMPLATE_DIR}/{kind}"


def recipient_name(user: Any) -> str:
    """The name to greet ``user`` with: empty unless the account's address is verified.

    The names of an unverified account were typed by whoever registered it, who
    need not own the address: whatever they wrote must not reach that inbox from
    the shop's address (a "pay at http://…" first name would be phishing). The
    verification mail never carries a name at all.
    """
    from .conf import get_adapter

    adapter = get_adapter()
    if not adapter.is_email_verified(user):
        return ""
    get_full_name = getattr(user, "get_full_name", None)
    return str(get_full_name() or "") if callable(get_full_name) else ""


def register_kinds() -> None:
    """Declare the kinds to bazary.notifications (called from ``AppConfig.ready``)."""
    from bazary.notifications.kinds import Kind, registry

    for kind, verbose_name in KINDS.items():
        registry.register(
            Kind(
                code=f"accounts.{kind}",
                template=template_for(kind),
                default_channels=("email",),
                # Security mail: a user cannot turn it off (but the new sign-in notice).
                mandatory=kind not in OPTIONAL_KINDS,
                # Sent to the account it says is gone, which then keeps no address.
                farewell=kind == "account_deleted",
                # Reset, verification and email-change links never stored in clear.
                secret_context=SECRET_CONTEXT,
                verbose_name=verbose_name,
            )
        )


def send(
    kind: str, user: Any, context: dict[str, str], *, email: str | None = None, locale: Locale | None = None
) -> None:
    """Send the ``kind`` email about ``user`` to ``email`` (default: the user's address),
    in the user's language and time zone (:func:`bazary.core.email.recipient_locale`).

    ``locale`` is the one the user had, for a mail sent after their profile was
    blanked (the farewell of a deleted account): taken before the deletion.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown accounts email kind {kind!r}.")
    from .conf import get_adapter

    # When it happened (ISO 8601): templates show it in the recipient's zone ({{ sent_at|local_datetime }}).
    context = {"sent_at": timezone.now().isoformat(), **{key: str(value) for key, value in context.items()}}
    if apps.is_installed("bazary.notifications"):
        from bazary.notifications.api import notify

        # notify() renders at once, in the user's locale or else the active one.
        with _active(locale):
            notify(user, f"accounts.{kind}", context, email=email)
        return
    address = email or get_adapter().get_email(user)
    enqueue_templated_email(template_for(kind), context, [address], locale=locale or recipient_locale(user))


@contextlib.contextmanager
def _active(locale: Locale | None) -> Iterator[None]:
    """``locale``'s language and time zone as the active ones (nothing changes for ``None`` parts)."""
    with contextlib.ExitStack() as stack:
        if locale and locale.language:
            stack.enter_context(translation.override(locale.language))
        if locale and locale.timezone:
            stack.enter_context(timezone.override(zoneinfo.ZoneInfo(locale.timezone)))
        yield
