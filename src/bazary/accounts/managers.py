"""The manager of bazary's email-login user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import BaseUserManager
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The account adapter's form of an address (the one the API stores and looks up)."""
        from .conf import get_adapter

        return get_adapter().normalize_email(email or "")

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
        # Whoever runs createsuperuser typed the address on the server: there is no one
        # to prove it to, and with mandatory verification an unverified superuser could
        # not obtain a JWT for the staff API.
        extra_fields.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> Any:
        # Email login is case-insensitive, as the unique constraint is; the database's match
        # (which on PostgreSQL also takes look-alikes such as the dotless i for i) is checked
        # against the adapter's comparison key, as the API's lookups are.
        from .conf import get_adapter

        username_field: str = getattr(self.model, "USERNAME_FIELD", "email")
        if not isinstance(username, str):
            return self.get(**{f"{username_field}__iexact": username})
        user = get_adapter().get_user_by_email(username)
        if user is not None:
            return user
        does_not_exist: Any = self.model.DoesNotExist  # type: ignore[attr-defined]
        raise does_not_exist(f"No {self.model._meta.object_name} with that {username_field}.")
