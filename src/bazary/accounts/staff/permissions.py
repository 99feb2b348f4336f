"""Who may use ``auth/users/``, and what they may do to whom.

The endpoints exist for staff only: anonymous → 401, signed-in non-staff → 403,
as for the catalog's staff routes. Reading needs ``view_user`` (or
``change_user``), every write ``change_user`` (the user model's permissions).
On top of that (:func:`check_targets`, :func:`check_privilege_change`):

- only a superuser may grant or remove ``is_staff`` / ``is_superuser``, and nobody their own;
- only a superuser may change a staff account (a staff member's own included: their
  profile is ``auth/me/``, and nobody hands themselves groups);
- nobody may deactivate themselves or a superuser through the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request

from bazary.core.permissions import is_staff


def perm(action: str) -> str:
    opts = get_user_model()._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def can_view(user: Any) -> bool:
    return bool(user.has_perm(perm("view")) or user.has_perm(perm("change")))


def can_change(user: Any) -> bool:
    return bool(user.has_perm(perm("change")))


class StaffUserPermission(permissions.BasePermission):
    """Staff with ``view_user`` (or ``change_user``) to read, ``change_user`` to write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not is_staff(request):
            return False
        if request.method in permissions.SAFE_METHODS:
            return can_view(request.user)
        return can_change(request.user)


def _flag(user: Any, name: str) -> bool:
    return bool(getattr(user, name, False))


def refuse(message: Any, code: str, ids: Iterable[Any] = ()) -> exceptions.PermissionDenied:
    detail: dict[str, Any] = {"detail": message, "code": code}
    ids = list(ids)
    if ids:
        detail["ids"] = ids
    return exceptions.PermissionDenied(detail)


def check_targets(actor: Any, targets: Iterable[Any], *, deactivating: bool = False) -> None:
    """PermissionDenied (403) unless ``actor`` may act on every one of ``targets``; checked before any write."""
    targets = list(targets)
    if deactivating:
        if any(t.pk == actor.pk for t in targets):
            raise refuse(_("You cannot deactivate your own account."), "cannot_deactivate_self", [actor.pk])
        superusers = [t.pk for t in targets if _flag(t, "is_superuser")]
        if superusers:
            raise refuse(
                _("A superuser cannot be deactivated through the API."), "cannot_deactivate_superuser", superusers
            )
    if not _flag(actor, "is_superuser"):
        staff = [t.pk for t in targets if _flag(t, "is_staff") or _flag(t, "is_superuser")]
        if staff:
            raise refuse(_("Only a superuser can change a staff account."), "staff_account", staff)


def check_privilege_change(actor: Any, target: Any, changes: dict[str, Any]) -> None:
    """PermissionDenied unless ``actor`` may set ``is_staff`` / ``is_superuser`` of ``target`` as ``changes`` say."""
    flags = [name for name in ("is_staff", "is_superuser") if name in changes and changes[name] != _flag(target, name)]
    if not flags:
        return
    if not _flag(actor, "is_superuser"):
        raise refuse(_("Only a superuser can grant or remove staff or superuser status."), "superuser_required")
    if target.pk == actor.pk:
        raise refuse(_("You cannot change your own staff or superuser status."), "cannot_change_own_status")
