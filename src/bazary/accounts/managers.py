"""The manager of bazary's email-login user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import BaseUserManager


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> Any:
        if not email:
            raise ValueError("An email address is required.")
        user: Any = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> Any:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> Any:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["is_staff"] is not True or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> Any:
        # Email login is case-insensitive, as the unique constraint is; the database's match
        # (which on PostgreSQL also takes look-alikes such as the dotless i for i) is checked
        # against the adapter's comparison key, as the API's lookups are.
        from .conf import get_adapter

        username_field: str = getattr(self.model, "USERNAME_FIELD", "email")
        if not isinstance(username, str):
            return self.get(**{f"{username_field}__iexact": username})
        adapter = get_adapter()
        key = adapter.email_key(adapter.normalize_email(username))
        candidates = self.filter(**{f"{username_field}__iexact": adapter.normalize_email(username)}).order_by("pk")
        for user in candidates[:20]:
            if adapter.email_key(getattr(user, username_field) or "") == key:
                return user
        does_not_exist: Any = self.model.DoesNotExist  # type: ignore[attr-defined]
        raise does_not_exist(f"No {self.model._meta.object_name} with that {username_field}.")
