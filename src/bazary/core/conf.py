"""Settings objects: one per app, read late and reset on ``setting_changed``.

Each bazary app declares its options once (default, accepted types, whether the
value is an import string) in its own ``conf.py``. Values are looked up on first
use and cached until Django sends ``setting_changed`` for that setting, so
``override_settings`` works everywhere and nothing is copied into a module
global at import time. The same declarations drive the system checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Option:
    """One key of a ``BAZARY_*`` settings dict."""

    default: Any
    types: tuple[type, ...]
    #: The value is a dotted path (or a list of them) resolved on access.
    import_string: bool = False
    #: Dict values are merged key by key over the default.
    merge: bool = False
    choices: tuple[Any, ...] | None = None
    #: For import strings: what the imported object must be a subclass of
    #: (import strings of the base, resolved when checks run).
    base: str | tuple[str, ...] | None = None
    help: str = ""


#: A validator gets the effective values (defaults merged with the user's) and
#: returns the problems it finds as ``(check_id, message)`` pairs.
Validator = Callable[[dict[str, Any]], Iterable[tuple[str, str]]]


@dataclass
class AppSettings:
    """The settings of one app, e.g. ``AppSettings("BAZARY_CATALOG", ...)``."""

    setting_name: str
    app_name: str
    options: dict[str, Option]
    validators: list[Validator] = field(default_factory=list)

    registry: ClassVar[dict[str, AppSettings]] = {}

    def __post_init__(self) -> None:
        self._cache: dict[str, Any] = {}
        AppSettings.registry[self.setting_name] = self

    @property
    def user_settings(self) -> dict[str, Any]:
        value = getattr(settings, self.setting_name, None)
        # A malformed value is reported by the system checks; at run time the
        # defaults are the safe reading of it.
        return value if isinstance(value, dict) else {}

    def raw(self, name: str) -> Any:
        """The configured value of ``name`` before import strings are resolved."""
        option = self.options[name]
        user = self.user_settings
        if name not in user:
            return option.default
        value = user[name]
        if option.merge and isinstance(value, dict):
            return {**option.default, **value}
        return value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self.options:
            raise AttributeError(f"{self.setting_name} has no option {name!r}")
        try:
            return self._cache[name]
        except KeyError:
            pass
        value = self.raw(name)
        if self.options[name].import_string:
            value = resolve(value)
        self._cache[name] = value
        return value

    def effective(self) -> dict[str, Any]:
        """Every option's configured value (import strings unresolved)."""
        return {name: self.raw(name) for name in self.options}

    def reload(self) -> None:
        self._cache.clear()


def resolve(value: Any) -> Any:
    """Import a dotted path, or each path of a list; other values pass through."""
    if isinstance(value, str):
        return import_string(value)
    if isinstance(value, (list, tuple)):
        return [resolve(item) for item in value]
    return value


@receiver(setting_changed)
def _reload_app_settings(*, setting: str, **kwargs: Any) -> None:
    app_settings = AppSettings.registry.get(setting)
    if app_settings is not None:
        app_settings.reload()


def rates_are_valid(option: str, check_id: str) -> Validator:
    """A validator for a dict of DRF throttle rates such as ``"5/min"``."""

    def validate(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
        rates = values.get(option)
        if not isinstance(rates, dict):
            return
        for scope, rate in rates.items():
            if rate is None:
                continue
            num, _, period = str(rate).partition("/")
            if not (num.isdigit() and period[:1] in ("s", "m", "h", "d")):
                yield check_id, f"{option}[{scope!r}] = {rate!r} is not a rate like '10/min'."

    return validate


def page_sizes_are_valid(check_id: str) -> Validator:
    def validate(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
        size, cap = values.get("PAGE_SIZE"), values.get("MAX_PAGE_SIZE")
        if isinstance(size, int) and isinstance(cap, int) and not 1 <= size <= cap:
            yield check_id, f"PAGE_SIZE ({size}) must be between 1 and MAX_PAGE_SIZE ({cap})."

    return validate


def task_backend_is_valid(check_id: str) -> Validator:
    """A validator for ``TASK_BACKEND`` (an alias of ``TASKS``) and ``TASK_QUEUE`` (one of its queues)."""

    def validate(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
        # Without a TASKS setting there is one backend, "default" (immediate).
        tasks = getattr(settings, "TASKS", None)
        if not isinstance(tasks, dict):
            tasks = {"default": {}}
        alias, queue = values.get("TASK_BACKEND"), values.get("TASK_QUEUE")
        if alias not in tasks:
            yield check_id, f"TASK_BACKEND {alias!r} is not a backend of the TASKS setting."
            return
        # A backend takes only its QUEUES, ["default"] unless it says otherwise
        # (an empty list takes any queue).
        config = tasks[alias] if isinstance(tasks[alias], dict) else {}
        queues = config.get("QUEUES", ["default"])
        if queues and queue not in queues:
            yield check_id, f"TASK_QUEUE {queue!r} is not in the QUEUES of task backend {alias!r}."

    return validate


def _num_proxies_is_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if isinstance(values.get("NUM_PROXIES"), int) and values["NUM_PROXIES"] < 0:
        yield "bazary_core.E010", "NUM_PROXIES cannot be negative."


core_settings = AppSettings(
    "BAZARY_CORE",
    "bazary.core",
    {
        "THROTTLE_RATES": Option(
            {"anon": None, "user": None},
            (dict,),
            merge=True,
            help="Rates for the whole API, per scope (anon, user); None is off.",
        ),
        "NUM_PROXIES": Option(
            0,
            (int,),
            help="Trusted proxies in front of the site that append to X-Forwarded-For.",
        ),
        "AUTHENTICATION_CLASSES": Option(
            [
                # simplejwt's, plus revocation of access tokens (as simplejwt's without bazary.accounts).
                "bazary.accounts.authentication.JWTAuthentication",
                "rest_framework.authentication.SessionAuthentication",
            ],
            (list, tuple),
            import_string=True,
            base="rest_framework.authentication.BaseAuthentication",
        ),
        "PAGE_SIZE": Option(20, (int,)),
        "MAX_PAGE_SIZE": Option(100, (int,)),
    },
    validators=[
        rates_are_valid("THROTTLE_RATES", "bazary_core.E011"),
        page_sizes_are_valid("bazary_core.E012"),
        _num_proxies_is_valid,
    ],
)
