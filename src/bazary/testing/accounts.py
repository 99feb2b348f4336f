"""Factories for bazary.accounts: ``UserFactory`` (any user model with an email) and ``AddressFactory``."""

from __future__ import annotations

from typing import Any

import factory
from django.conf import settings
from django.utils import timezone

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A verified, active user whose password is :data:`DEFAULT_PASSWORD`.

    ``UserFactory(unverified=True)`` leaves ``email_verified_at`` empty.
    """

    class Meta:
        model = settings.AUTH_USER_MODEL
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    is_active = True

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        password = kwargs.pop("password", DEFAULT_PASSWORD)
        unverified = kwargs.pop("unverified", False)
        field_names = {f.name for f in model_class._meta.get_fields()}
        if "email_verified_at" in field_names and "email_verified_at" not in kwargs:
            kwargs["email_verified_at"] = None if unverified else timezone.now()
        if model_class.USERNAME_FIELD not in kwargs:
            kwargs[model_class.USERNAME_FIELD] = kwargs.get(model_class.get_email_field_name())
        user = model_class(*args, **{k: v for k, v in kwargs.items() if k in field_names})
        user.set_password(password)
        user.save()
        return user


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bazary_accounts.Address"

    user = factory.SubFactory(UserFactory)
    kind = "shipping"
    recipient_name = factory.Sequence(lambda n: f"Recipient {n}")
    line1 = factory.Sequence(lambda n: f"{n} Main Street")
    city = "Springfield"
    postal_code = "12345"
    country = "US"
    phone = "+1 555 0100"
    is_default = False
