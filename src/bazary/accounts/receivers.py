"""bazary.accounts' own receivers (connected in ``AppConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from .models import RevokeReason, Session


def forget_deleted_user(sender: Any, user: Any, **kwargs: Any) -> None:
    """On ``user_deleted``: drop the session log (IPs, user agents), the second factors and the user's
    notifications, and anonymise the user's activity log."""
    from . import activity
    from .mfa.factors import reset

    Session.objects.filter(token__user=user).delete()
    reset(user)
    activity.forget_user(user)
    if apps.is_installed("bazary.notifications"):
        from bazary.notifications.privacy import forget_user

        forget_user(user)


def revoke_deactivated_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    """On ``post_save`` of the user model: an inactive account keeps no live login.

    Its tokens are refused while it is inactive anyway; revoking them means
    reactivating the account does not bring its old sessions back.
    """
    if getattr(instance, "is_active", True) is False and not kwargs.get("raw"):
        from .sessions import revoke_all

        revoke_all(instance, RevokeReason.DEACTIVATED)


def forget_events_of_deleted_row(sender: Any, instance: Any, **kwargs: Any) -> None:
    """On ``pre_delete`` of the user model: the row goes, its events stay, anonymised (``user`` is then
    set to NULL by the foreign key's ``SET_NULL``)."""
    from . import activity

    activity.forget_user(instance)
