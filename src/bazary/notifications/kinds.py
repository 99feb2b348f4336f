"""Notification kinds: what a notification is about and how it is rendered.

Importable before Django is set up (no model imports here), so apps can
declare kinds at module level and register them in ``AppConfig.ready()``::

    from bazary.notifications.kinds import Kind, registry

    registry.register(Kind("shop.order_shipped", "shop/email/order_shipped"))

Projects also add or replace kinds with ``BAZARY_NOTIFICATIONS["KINDS"]``
(read late, so ``override_settings`` works); a kind from the setting wins over
a registered kind with the same code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Kind:
    #: Unique, dotted by convention: ``"<app>.<event>"``.
    code: str
    #: Template path prefix: ``{template}_subject.txt``, ``{template}.txt`` and,
    #: optionally, ``{template}.html``. The in-app title and body are the
    #: rendered subject and text.
    template: str
    #: The channels used unless the user says otherwise.
    default_channels: tuple[str, ...] = ("in_app", "email")
    #: Mandatory kinds (security emails) ignore preferences: always delivered
    #: on ``default_channels`` and never on other channels.
    mandatory: bool = False
    verbose_name: str = ""
    #: A message about the account's own deactivation or deletion (bazary's
    #: ``accounts.account_deleted``). It is the only kind ``notify()`` sends to
    #: an inactive user, and once its delivery is sent or has failed for good
    #: the row keeps no address, subject, body or data (see ``privacy.py``).
    farewell: bool = False
    #: Context keys holding one-time secrets (reset and verification links,
    #: tokens): never stored in clear. The stored message has placeholders for
    #: them, the values are sealed until the delivery is sent (``withheld.py``),
    #: and the kind is never written to channels that keep messages in the
    #: database only (``in_app``). Templates print them as they are (``{{ url }}``).
    secret_context: tuple[str, ...] = ()
    #: A newsletter-style kind (promotions, product news): sent only to users
    #: who agreed to marketing email (``marketing_opt_in`` true on the user,
    #: bazary's ``AbstractUser`` has it); a user model without that field gets
    #: none. Never mandatory.
    marketing: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code or len(self.code) > 100:
            raise ValueError(f"A kind code must be a non-empty string of at most 100 characters, not {self.code!r}.")
        if not isinstance(self.template, str) or not self.template:
            raise ValueError(f"Kind {self.code!r} needs a template path prefix.")
        channels = self.default_channels
        if isinstance(channels, str) or not all(isinstance(c, str) for c in channels):
            raise ValueError(f"Kind {self.code!r}: default_channels must be a tuple of channel codes.")
        # Lists from a settings dict become tuples, so kinds stay hashable and comparable.
        object.__setattr__(self, "default_channels", tuple(channels))
        keys = self.secret_context
        if isinstance(keys, str) or not all(isinstance(k, str) and k for k in keys):
            raise ValueError(f"Kind {self.code!r}: secret_context must be a tuple of context keys.")
        object.__setattr__(self, "secret_context", tuple(keys))
        if self.marketing and self.mandatory:
            raise ValueError(f"Kind {self.code!r}: a marketing kind cannot be mandatory (consent can be withdrawn).")

    @property
    def label(self) -> str:
        return str(self.verbose_name) or self.code

    def reaches(self, user: Any) -> bool:
        """Whether this kind is sent to ``user`` (``None``: an account deleted
        from the database). Inactive accounts (deactivated, or deleted by
        bazary.accounts, which deactivates and anonymises) get farewells only;
        marketing kinds reach only users who consented (:func:`has_marketing_consent`)."""
        if self.marketing and not has_marketing_consent(user):
            return False
        return self.farewell or is_active(user)


def is_active(user: Any) -> bool:
    """Whether ``user`` gets notifications at all: a saved account that is
    active (models without ``is_active`` count as active, like Django's auth)."""
    return user is not None and bool(getattr(user, "is_active", True))


def has_marketing_consent(user: Any) -> bool:
    """Whether ``user`` agreed to marketing email: ``marketing_opt_in`` is true
    (bazary.accounts records it, with its time and source)."""
    return user is not None and getattr(user, "marketing_opt_in", False) is True


class UnknownKind(LookupError):
    """``notify()`` or ``registry.get()`` was given a code nobody registered."""


class AlreadyRegistered(ValueError):
    """Another, different kind already has this code."""


def kind_from_setting(entry: Any) -> Kind:
    """A ``KINDS`` entry: a dict of :class:`Kind` fields, a Kind, or an import string of one."""
    if isinstance(entry, Kind):
        return entry
    if isinstance(entry, str):
        value = import_string(entry)
        if not isinstance(value, Kind):
            raise TypeError(f"{entry!r} is a {type(value).__name__}, not a Kind.")
        return value
    if isinstance(entry, dict):
        names = {f.name for f in dataclasses.fields(Kind)}
        unknown = set(entry) - names
        if unknown:
            raise TypeError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        return Kind(**entry)
    raise TypeError(f"expected a dict or an import string, not {type(entry).__name__}")


class KindRegistry:
    """Kinds by code. Registering the same kind again is harmless (``ready()``
    may run more than once in tests); a different kind with a taken code is an
    error unless ``replace=True``."""

    def __init__(self) -> None:
        self._kinds: dict[str, Kind] = {}

    def register(self, kind: Kind, *, replace: bool = False) -> Kind:
        if not isinstance(kind, Kind):
            raise TypeError(f"register() takes a Kind, not {type(kind).__name__}.")
        existing = self._kinds.get(kind.code)
        if existing is not None and existing != kind and not replace:
            raise AlreadyRegistered(f"Kind {kind.code!r} is already registered as {existing!r}.")
        self._kinds[kind.code] = kind
        return kind

    def unregister(self, code: str) -> None:
        self._kinds.pop(code, None)

    def _all(self) -> dict[str, Kind]:
        kinds = dict(self._kinds)
        # Late import: reading settings needs configured Django, not models.
        from .conf import notifications_settings

        for entry in notifications_settings.KINDS or ():
            try:
                kind = kind_from_setting(entry)
            except (TypeError, ValueError, ImportError):
                continue  # reported by the system check bazary_notifications.E010
            kinds[kind.code] = kind
        return kinds

    def get(self, code: str) -> Kind:
        try:
            return self._all()[code]
        except (KeyError, TypeError):
            raise UnknownKind(f"No notification kind {code!r} is registered.") from None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._all()

    def __iter__(self) -> Iterator[Kind]:
        return iter(sorted(self._all().values(), key=lambda kind: kind.code))

    def __len__(self) -> int:
        return len(self._all())


#: The kinds of this process. Fill it from ``AppConfig.ready()``.
registry = KindRegistry()
