"""factory_boy factories for ``bazary.notifications``.

Usage in a project's tests::

    from bazary.testing.notifications import NotificationFactory

    notification = NotificationFactory(recipient=user, title="Hello")
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from bazary.notifications.models import Delivery, DeliveryStatus, Notification, Preference


class RecipientFactory(DjangoModelFactory):
    """A user of ``AUTH_USER_MODEL`` with a unique email (and username, if the model has one)."""

    email = factory.Sequence(lambda n: f"recipient{n}@example.com")

    class Meta:
        model = get_user_model()

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        username_field = model_class.USERNAME_FIELD
        kwargs.setdefault(username_field, kwargs["email"])
        password = kwargs.pop("password", None)
        user = model_class(**kwargs)
        user.set_password(password) if password else user.set_unusable_password()
        user.save()
        return user


class NotificationFactory(DjangoModelFactory):
    recipient = factory.SubFactory(RecipientFactory)
    kind = "tests.example"
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened."
    data = factory.LazyFunction(dict)

    class Meta:
        model = Notification


class PreferenceFactory(DjangoModelFactory):
    user = factory.SubFactory(RecipientFactory)
    kind = "tests.example"
    channel = "email"
    enabled = False

    class Meta:
        model = Preference


class DeliveryFactory(DjangoModelFactory):
    recipient = factory.SubFactory(RecipientFactory)
    kind = "tests.example"
    channel = "email"
    address = factory.LazyAttribute(
        lambda delivery: delivery.recipient.email if delivery.recipient else "x@example.com"
    )
    subject = "Something happened"
    body = "Something happened."
    status = DeliveryStatus.QUEUED

    class Meta:
        model = Delivery
