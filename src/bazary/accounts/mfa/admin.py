"""Admin for the second factors: who has which, and a "reset" action; never a secret.

The lists are read-only (the factors are set up by their owner through the
API): a TOTP device shows whether it is on, never its secret; recovery codes
show when they were used, never their digests; passkeys show their name and
use, never their key. The one change is the action :func:`reset_mfa`, the
staff API's ``reset_mfa`` (``bazary.accounts.staff.actions``): the same
privilege rules, a reason, and the same ``mfa_reset`` activity event, with
the admin user as actor. It is on these lists and on bazary's user admin.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied

from ..staff import actions
from ..staff.permissions import can_change
from .models import Passkey, RecoveryCode, TOTPDevice

#: The reason field's cap, as in the staff API.
REASON_MAX_LENGTH = 500


class ResetReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in each account's activity log."),
    )


def _users_of(queryset: QuerySet[Any]) -> list[Any]:
    """The accounts of the selected rows (the rows themselves on the user admin), each once, by id."""
    model = get_user_model()
    if queryset.model is model:
        return list(queryset.order_by("pk"))
    return list(model._default_manager.filter(pk__in=queryset.values("user_id")).order_by("pk"))


@admin.action(description=_("Remove every second factor of the selected accounts"), permissions=["reset_mfa"])
def reset_mfa(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
    """Ask for a reason, then reset the accounts' second factors as ``POST auth/users/bulk/`` does."""
    users = _users_of(queryset)
    form = ResetReasonForm(request.POST if "confirm" in request.POST else None)
    if form.is_valid():
        try:
            result = actions.apply(
                "reset_mfa", users, actor=request.user, request=request, params={"reason": form.cleaned_data["reason"]}
            )
        except PermissionDenied as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"detail": exc.detail}
            modeladmin.message_user(request, str(detail.get("detail", "")), messages.ERROR)
            return None
        modeladmin.message_user(
            request,
            _("Second factors removed from %(changed)d of %(matched)d accounts.") % result,
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Remove every second factor"),
        "opts": modeladmin.model._meta,
        "users": users,
        "form": form,
        "queryset": queryset,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "action": "reset_mfa",
    }
    return TemplateResponse(request, "bazary/accounts/admin/reset_mfa.html", context)


class ResetMFAPermissionMixin:
    """``reset_mfa`` needs what the staff API's writes need: the user model's ``change`` permission."""

    def has_reset_mfa_permission(self, request: HttpRequest) -> bool:
        return can_change(request.user)


class FactorAdmin(ResetMFAPermissionMixin, admin.ModelAdmin):
    """Read-only: no add, change or delete (the reset action, which logs, is the way to remove)."""

    list_select_related = ("user",)
    actions = (reset_mfa,)

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        return (f"user__{get_user_model().USERNAME_FIELD}",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(FactorAdmin):
    list_display = ("user", "is_on", "confirmed_at", "created_at")
    list_filter = ("confirmed_at",)
    # Never the sealed secret, nor the last time step (it dates the last code used).
    fields = ("user", "confirmed_at", "created_at")

    @admin.display(boolean=True, description=_("on"), ordering="confirmed_at")
    def is_on(self, obj: TOTPDevice) -> bool:
        return obj.confirmed_at is not None


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(FactorAdmin):
    list_display = ("user", "is_used", "used_at", "created_at")
    list_filter = ("used_at",)
    fields = ("user", "used_at", "created_at")  # never the digest

    @admin.display(boolean=True, description=_("used"), ordering="used_at")
    def is_used(self, obj: RecoveryCode) -> bool:
        return obj.used_at is not None


@admin.register(Passkey)
class PasskeyAdmin(FactorAdmin):
    list_display = ("name", "user", "backed_up", "created_at", "last_used_at")
    list_filter = ("backed_up",)
    fields = ("user", "name", "transports", "backed_up", "sign_count", "created_at", "last_used_at")
