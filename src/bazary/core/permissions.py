"""Permission classes shared by the bazary apps."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request


def is_staff(request: Any) -> bool:
    """Whether the request (DRF's or Django's, or ``None``) comes from a
    signed-in staff user: the one test behind every staff-only view, filter
    and field."""
    user = getattr(request, "user", None)
    # getattr: a project's user model need not have is_staff (then nobody is staff).
    return bool(user is not None and user.is_authenticated and getattr(user, "is_staff", False))


class IsStaffWithModelPermsOrReadOnly(permissions.DjangoModelPermissions):
    """Anyone may read; writing needs ``is_staff`` and the model permission
    (``add_``/``change_``/``delete_``), as in the Django admin."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not is_staff(request):
            return False
        return super().has_permission(request, view)


class IsStaffWithModelPerms(IsStaffWithModelPermsOrReadOnly):
    """Like :class:`IsStaffWithModelPermsOrReadOnly` for unsafe methods only,
    for actions that are writes although they are not on the model itself."""
