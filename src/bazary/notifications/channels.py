"""Channels: the ways a notification reaches a user.

The channels of a project are the classes listed in
``BAZARY_NOTIFICATIONS["CHANNELS"]`` (import strings, read late). bazary ships
two:

- ``in_app`` (:class:`InAppChannel`): a :class:`~bazary.notifications.models.Notification`
  row, written by ``notify()`` itself in one bulk insert;
- ``email`` (:class:`EmailChannel`): a :class:`~bazary.notifications.models.Delivery`
  row per message, sent by a task through Django's email backend and retried
  on failure.

A new channel (webhook, SMS, push) subclasses :class:`Channel`, sets ``code``,
and implements ``get_address()`` and ``send()``; it then gets delivery rows,
retries and the admin's resend action for free. The registry refuses a channel
that lacks the hook its delivery path calls (:func:`missing_hooks`; the system
check ``bazary_notifications.E019`` reports it at startup).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from bazary.core.email import RenderedEmail, build_message

if TYPE_CHECKING:
    from django.db.models import Model

    from .kinds import Kind
    from .models import Delivery


@dataclass
class Message:
    """One notification for one recipient, rendered, before any channel stores it."""

    kind: Kind
    #: An instance of ``AUTH_USER_MODEL``.
    recipient: Any
    rendered: RenderedEmail
    context: dict[str, Any]
    actor: Any = None
    target: Model | None = None
    #: Addresses given by the caller for this recipient, by channel code
    #: (``notify(..., email=...)`` sets ``{"email": ...}``).
    addresses: dict[str, str] = field(default_factory=dict)


class UnknownChannel(LookupError):
    pass


class Channel:
    """Base class of every channel.

    By default a channel delivers out of process: ``notify()`` stores one
    :class:`~bazary.notifications.models.Delivery` per recipient (its address
    from :meth:`get_address`), and a task calls :meth:`send_many` for a batch,
    whose default calls ``send(delivery)`` for each one; a failing attempt
    raises, is recorded and retried with backoff. Such a channel implements
    ``send(delivery)`` (or overrides ``send_many``). Channels that only write
    to the database (like ``in_app``) set ``uses_deliveries = False`` and
    implement ``write(messages)`` instead.

    ``send`` and ``write`` are hooks the base class does not define: the
    registry refuses a channel without the one its path calls
    (:func:`missing_hooks`), so a half-written channel is a configuration
    error at startup, never a failure per message.
    """

    #: Stored in ``Delivery.channel`` and ``Preference.channel``; at most 50 characters.
    code: ClassVar[str] = ""
    verbose_name: ClassVar[Any] = ""
    uses_deliveries: ClassVar[bool] = True

    if TYPE_CHECKING:
        # The hooks, for the type checker only (see the class docstring).
        def send(self, delivery: Delivery) -> None:
            """Send one delivery. Raise to fail this attempt (the error is
            recorded and the delivery retried). Must not touch the Delivery row."""

        def write(self, messages: Sequence[Message]) -> None:
            """For ``uses_deliveries = False`` channels: store ``messages`` at once."""

    def get_address(self, message: Message) -> str | None:
        """Where this channel reaches ``message.recipient``; ``None`` skips the recipient."""
        return message.addresses.get(self.code)

    def send_many(self, deliveries: Sequence[Delivery]) -> dict[int, BaseException | None]:
        """Send a batch; returns each delivery's error (``None`` when sent).
        Override to share a connection across the batch."""
        results: dict[int, BaseException | None] = {}
        for delivery in deliveries:
            try:
                self.send(delivery)
            except Exception as exc:
                results[delivery.pk] = exc
            else:
                results[delivery.pk] = None
        return results


def missing_hooks(cls: type[Channel]) -> str | None:
    """Why the channel class ``cls`` cannot deliver, or ``None`` when it can.

    A channel with ``uses_deliveries = True`` needs ``send()`` (which the base
    ``send_many()`` calls) or its own ``send_many()``; one with
    ``uses_deliveries = False`` needs ``write()``.
    """
    name = f"{cls.__module__}.{cls.__qualname__}"
    if cls.uses_deliveries:
        if callable(getattr(cls, "send", None)) or cls.send_many is not Channel.send_many:
            return None
        return (
            f"Notification channel {cls.code!r} ({name}) sends Delivery rows (uses_deliveries = True) "
            "but implements neither send(delivery) nor send_many(deliveries)."
        )
    if callable(getattr(cls, "write", None)):
        return None
    return (
        f"Notification channel {cls.code!r} ({name}) only stores messages (uses_deliveries = False) "
        "but does not implement write(messages)."
    )


class InAppChannel(Channel):
    """A row in the user's inbox, read through the notifications API."""

    code = "in_app"
    verbose_name = _("in-app")
    uses_deliveries = False

    def write(self, messages: Sequence[Message]) -> None:
        from .models import Notification

        Notification.objects.bulk_create(
            [_notification(message) for message in messages],
            batch_size=500,
        )


def _notification(message: Message) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from .models import Notification

    target = message.target
    return Notification(
        recipient=message.recipient,
        kind=message.kind.code,
        title=message.rendered.subject[:255],
        body=message.rendered.text,
        data=message.context,
        actor=message.actor,
        # get_for_model is cached by ContentType's manager: no query per row.
        target_content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_object_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
    )


class EmailChannel(Channel):
    """Text and HTML email through Django's email backend (``EMAIL_BACKEND``)."""

    code = "email"
    verbose_name = _("email")

    def get_address(self, message: Message) -> str | None:
        override = super().get_address(message)
        if override:
            return override
        user = message.recipient
        field_name = user.get_email_field_name() if hasattr(user, "get_email_field_name") else "email"
        return getattr(user, field_name, None) or None

    def _message(self, delivery: Delivery) -> Any:
        from .conf import notifications_settings

        rendered = RenderedEmail(subject=delivery.subject, text=delivery.body, html=delivery.html or None)
        return build_message(rendered, [delivery.address], from_email=notifications_settings.FROM_EMAIL)

    def send(self, delivery: Delivery) -> None:
        self._message(delivery).send()

    def send_many(self, deliveries: Sequence[Delivery]) -> dict[int, BaseException | None]:
        # One backend connection (one SMTP session) for the batch; each
        # message still succeeds or fails on its own.
        results: dict[int, BaseException | None] = {}
        try:
            connection = _mail_connection()
            connection.open()
        except Exception as exc:
            return {delivery.pk: exc for delivery in deliveries}
        try:
            for delivery in deliveries:
                try:
                    connection.send_messages([self._message(delivery)])
                except Exception as exc:
                    results[delivery.pk] = exc
                else:
                    results[delivery.pk] = None
        finally:
            # The messages' outcomes are already known; a failing QUIT changes none.
            with contextlib.suppress(Exception):
                connection.close()
        return results


def _mail_connection() -> Any:
    """A connection of the default email backend: ``mailers.default`` on
    Django 6.1+ (where ``get_connection()`` is deprecated), else ``get_connection()``."""
    mailers = getattr(mail, "mailers", None)
    if mailers is not None:
        return mailers.default
    return mail.get_connection()


class ChannelRegistry:
    """The channels of ``BAZARY_NOTIFICATIONS["CHANNELS"]``, by code, in that order."""

    def _all(self) -> dict[str, Channel]:
        from .conf import notifications_settings

        classes = notifications_settings.CHANNELS
        for cls in classes:
            problem = missing_hooks(cls)
            if problem:
                # Refused as a whole, before anything is stored or claimed
                # (also reported at startup as bazary_notifications.E019).
                raise ImproperlyConfigured(problem)
        return {cls.code: cls() for cls in classes}

    def get(self, code: str) -> Channel:
        try:
            return self._all()[code]
        except (KeyError, TypeError):
            raise UnknownChannel(f"No notification channel {code!r} is configured.") from None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._all()

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._all().values())

    def codes(self) -> list[str]:
        return list(self._all())


#: The configured channels.
registry = ChannelRegistry()
