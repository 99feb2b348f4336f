"""Admin for bazary's user, addresses and sessions (the second factors' in ``mfa.admin``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import activity
from .activity import EventKind
from .mfa.admin import ResetMFAPermissionMixin, reset_mfa
from .models import AccountEvent, Address, Login, Session, User


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


class UserChangeFormForEmail(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ("kind", "recipient_name", "line1", "city", "postal_code", "country", "is_default")


# Only when bazary's user is the project's user: a custom AUTH_USER_MODEL has its own admin.
if get_user_model() is User:

    @admin.register(User)
    class UserAdmin(ResetMFAPermissionMixin, DjangoUserAdmin):
        form = UserChangeFormForEmail
        add_form = UserCreationForm
        ordering = ("email",)
        list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "email_verified_at")
        list_filter = ("is_staff", "is_superuser", "is_active", "groups")
        search_fields = ("email", "first_name", "last_name")
        readonly_fields = ("last_login", "date_joined")
        inlines = (AddressInline,)
        actions = (reset_mfa,)

        def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
            # Switching is_active here is the staff API's deactivate/reactivate,
            # so it writes the same event, with the admin user as actor (the
            # logins of a deactivated account are revoked by a post_save receiver).
            with transaction.atomic():
                super().save_model(request, obj, form, change)
                if change and "is_active" in form.changed_data:
                    kind = EventKind.ACCOUNT_REACTIVATED if obj.is_active else EventKind.ACCOUNT_DEACTIVATED
                    activity.record(kind, request=request, user=obj, actor=request.user, via="admin")

        def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
            # Addresses are added once the user exists, not on the add form.
            return super().get_inline_instances(request, obj) if obj is not None else []

        fieldsets = (
            (None, {"fields": ("email", "password")}),
            (_("Personal info"), {"fields": ("first_name", "last_name", "email_verified_at")}),
            (
                _("Permissions"),
                {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
            ),
            (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        )
        add_fieldsets = (
            (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
        )


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("recipient_name", "user", "kind", "city", "country", "is_default")
    list_filter = ("kind", "country", "is_default")
    search_fields = ("recipient_name", "line1", "city", "postal_code")
    raw_id_fields = ("user",)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("token", "login", "ip_address", "user_agent", "created_at")
    search_fields = ("ip_address", "user_agent", "token__jti")
    raw_id_fields = ("token", "login")
    readonly_fields = ("token", "login", "ip_address", "user_agent", "created_at")


@admin.register(Login)
class LoginAdmin(admin.ModelAdmin):
    """Logins (token families) and why they were revoked; a reuse of a rotated refresh token shows here."""

    list_display = ("id", "user", "created_at", "revoked_at", "revoked_reason")
    list_filter = ("revoked_reason",)
    list_select_related = ("user",)
    search_fields = ("id",)
    raw_id_fields = ("user",)
    readonly_fields = ("id", "user", "created_at", "revoked_at", "revoked_reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The activity log, read-only: it is written by bazary (``bazary.accounts.activity.record``)."""

    list_display = ("created_at", "kind", "user", "actor", "ip")
    list_filter = ("kind",)
    list_select_related = ("user", "actor")
    search_fields = ("ip", "kind")
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "actor")
    readonly_fields = ("user", "actor", "kind", "ip", "user_agent", "created_at", "data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
