from typing import Any

from rest_framework import permissions
from rest_framework.request import Request


class OrderOwnerOrGuestLink(permissions.BasePermission):
    """Signed in (the view finds the order among yours), or holding a guest
    order link's ``token`` (the view checks it against the order)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) or "token" in request.query_params


class CanRefund(permissions.BasePermission):
    """Staff with the ``bazary_payments.refund_order`` permission."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and user.has_perm("bazary_payments.refund_order"))
