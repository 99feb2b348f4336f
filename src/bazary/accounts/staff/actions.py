"""What staff can do to accounts, on one or many at once (``auth/users/{id}/<action>/``, ``auth/users/bulk/``).

Each action is checked against the privilege rules for every account first
(:func:`~.permissions.check_targets`), then runs in one transaction with
set-based writes where it can, and writes one activity event per account it
changed, with the staff member as ``actor``. Nothing is written when a check fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import activity, lockout, sessions
from ..activity import EventKind
from ..conf import get_adapter
from ..models import RevokeReason
from ..tasks import send_password_reset, send_verification
from .permissions import check_targets

#: Accounts one bulk request may name.
BULK_MAX = 100


@dataclass(frozen=True)
class Context:
    actor: Any
    request: Any
    params: dict[str, Any]


@dataclass(frozen=True)
class Action:
    name: str
    kind: str
    #: Runs the action on the accounts; answers those it changed (events are written for them).
    run: Callable[[list[Any], Context], list[Any]]
    verbose_name: Any
    deactivating: bool = False
    needs_reason: bool = False


def _deactivate(users: list[Any], ctx: Context) -> list[Any]:
    changed = [u for u in users if getattr(u, "is_active", True)]
    model = get_adapter().user_model
    model._default_manager.filter(pk__in=[u.pk for u in changed]).update(is_active=False)
    # Every refresh token of them at once (those already inactive included: none may stay).
    sessions.revoke_users([u.pk for u in users], RevokeReason.DEACTIVATED)
    for user in changed:
        user.is_active = False
    return changed


def _reactivate(users: list[Any], ctx: Context) -> list[Any]:
    changed = [u for u in users if not getattr(u, "is_active", True)]
    get_adapter().user_model._default_manager.filter(pk__in=[u.pk for u in changed]).update(is_active=True)
    for user in changed:
        user.is_active = True
    return changed


def _unlock(users: list[Any], ctx: Context) -> list[Any]:
    adapter = get_adapter()
    for user in users:
        lockout.reset(lockout.subject(adapter.get_email(user), user))
    return users


def _mark_verified(users: list[Any], ctx: Context) -> list[Any]:
    adapter = get_adapter()
    changed = [u for u in users if not adapter.is_email_verified(u)]
    if adapter.has_field("email_verified_at"):
        # One UPDATE for all (what the default adapter's set_email_verified writes).
        now = timezone.now()
        adapter.user_model._default_manager.filter(pk__in=[u.pk for u in changed]).update(email_verified_at=now)
        for user in changed:
            user.email_verified_at = now
    else:
        for user in changed:
            adapter.set_email_verified(user)
    return changed


def _resend_verification(users: list[Any], ctx: Context) -> list[Any]:
    adapter = get_adapter()
    sent = [u for u in users if adapter.can_login(u) and not adapter.is_email_verified(u)]
    for user in sent:
        send_verification(user, ctx.request)
    return sent


def _send_password_reset(users: list[Any], ctx: Context) -> list[Any]:
    adapter = get_adapter()
    sent = [u for u in users if adapter.can_login(u) and u.has_usable_password()]
    for user in sent:
        send_password_reset(user)
    return sent


def _reset_mfa(users: list[Any], ctx: Context) -> list[Any]:
    from .. import mfa

    # Those that had a factor: the account signs in with its password alone afterwards.
    return [user for user in users if any(mfa.reset(user).values())]


def _revoke_sessions(users: list[Any], ctx: Context) -> list[Any]:
    sessions.revoke_users([u.pk for u in users], RevokeReason.STAFF)
    return users


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("deactivate", EventKind.ACCOUNT_DEACTIVATED, _deactivate, _("Deactivate"), deactivating=True),
        Action("reactivate", EventKind.ACCOUNT_REACTIVATED, _reactivate, _("Reactivate")),
        Action("unlock", EventKind.UNLOCKED, _unlock, _("Clear the lockout")),
        Action("mark_verified", EventKind.EMAIL_VERIFIED, _mark_verified, _("Mark the address verified")),
        Action(
            "resend_verification", EventKind.VERIFICATION_SENT, _resend_verification, _("Send the verification email")
        ),
        Action(
            "send_password_reset",
            EventKind.PASSWORD_RESET_REQUESTED,
            _send_password_reset,
            _("Send a password reset email"),
        ),
        Action("revoke_sessions", EventKind.SESSIONS_REVOKED, _revoke_sessions, _("Sign out every session")),
        Action("reset_mfa", EventKind.MFA_RESET, _reset_mfa, _("Remove every second factor"), needs_reason=True),
    )
}


def register(action: Action) -> None:
    """Add an action (``reset_mfa`` comes from the MFA feature); its ``kind`` must be a registered event kind."""
    ACTIONS[action.name] = action


def apply(
    name: str, users: list[Any], actor: Any, request: Any, params: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run the action ``name`` on ``users`` (all or nothing); ``{action, matched, changed}``."""
    action = ACTIONS[name]
    params = params or {}
    check_targets(actor, users, deactivating=action.deactivating)
    ctx = Context(actor=actor, request=request, params=params)
    data = {"reason": params["reason"]} if params.get("reason") else {}
    with transaction.atomic():
        changed = action.run(users, ctx)
        activity.record_many(action.kind, changed, request=request, actor=actor, **data)
    return {"action": name, "matched": len(users), "changed": len(changed)}
