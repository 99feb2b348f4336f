"""Templated email: a subject, a text body and an HTML body per message.

A message named ``bazary/accounts/email/password_reset`` is rendered from
``<name>_subject.txt``, ``<name>.txt`` and (optional) ``<name>.html``. Projects
override any of them by putting a file with the same path in their templates.

Each message is rendered in its recipient's language and time zone when the
user has them (``language`` and ``timezone`` attributes, as bazary's user
model has; :func:`recipient_locale`), so ``{% translate %}``, dates and
``{{ when|local_datetime }}`` (``{% load bazary_dates %}``) come out as that
user reads them. ``notify()`` and the task that sends mail without
bazary.notifications both render through :func:`render_email`.

The subject and the text body are plain text, so they are rendered without
HTML autoescaping ("Tom & Jerry's" stays so, not "Tom &amp; Jerry&#x27;s");
the HTML body is escaped as usual. Templates need no ``{% autoescape %}``.
"""

from __future__ import annotations

import contextlib
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils import timezone as dj_timezone
from django.utils import translation

from .tasks import enqueue, task


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template with autoescaping off (Django's template
    engine; another engine's template renders as that engine is configured)."""
    template = get_template(template_name)
    compiled = getattr(template, "template", None)
    if isinstance(compiled, DjangoTemplate):
        # What the backend's render() does for a context without a request,
        # with autoescape off instead of the engine's default.
        return compiled.render(Context(context, autoescape=False))
    return template.render(context)


@dataclass(frozen=True)
class Locale:
    """The language and time zone a message is rendered in (``None``: the current ones)."""

    language: str | None = None
    timezone: str | None = None


def _language(value: Any) -> str | None:
    if isinstance(value, str) and value in {code for code, _name in settings.LANGUAGES}:
        return value
    return None


def _timezone(value: Any) -> str | None:
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return value


def recipient_locale(user: Any) -> Locale:
    """The language and time zone ``user`` reads mail in: their ``language`` (one of
    ``LANGUAGES``) and ``timezone`` (an IANA name), each ``None`` when the user has
    none, or none that is valid here (the current language and zone then apply)."""
    return Locale(
        language=_language(getattr(user, "language", None)), timezone=_timezone(getattr(user, "timezone", None))
    )


def render_email(
    template: str, context: dict[str, Any], *, language: str | None = None, timezone: str | None = None
) -> RenderedEmail:
    """Render ``template`` in ``language`` and ``timezone`` (default: the active ones)."""
    zone = contextlib.nullcontext() if not timezone else dj_timezone.override(zoneinfo.ZoneInfo(timezone))
    with translation.override(language or translation.get_language()), zone:
        subject = render_text(f"{template}_subject.txt", context)
        text = render_text(f"{template}.txt", context)
        try:
            html: str | None = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = None
    # A subject is one line whatever the template's whitespace.
    return RenderedEmail(subject=" ".join(subject.split()), text=text, html=html)


def build_message(rendered: RenderedEmail, to: list[str], *, from_email: str | None = None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    return message


def send_templated_email(
    template: str,
    context: dict[str, Any],
    to: list[str],
    *,
    from_email: str | None = None,
    language: str | None = None,
    timezone: str | None = None,
) -> int:
    """Render (in ``language`` and ``timezone``) and send at once through Django's email backend."""
    rendered = render_email(template, context, language=language, timezone=timezone)
    return build_message(rendered, to, from_email=from_email).send()


@task()
def send_templated_email_task(
    template: str,
    context: dict[str, Any],
    to: list[str],
    from_email: str | None = None,
    language: str | None = None,
    timezone: str | None = None,
) -> int:
    """The background form of :func:`send_templated_email` (JSON arguments only)."""
    return send_templated_email(
        template, context, to, from_email=from_email, language=_language(language), timezone=_timezone(timezone)
    )


def enqueue_templated_email(
    template: str,
    context: dict[str, Any],
    to: list[str],
    *,
    from_email: str | None = None,
    locale: Locale | None = None,
) -> None:
    """Send from a task, so a request never waits on SMTP (see :func:`bazary.core.tasks.enqueue`).

    Used when ``bazary.notifications`` is not installed; with it installed, mail
    goes through ``notify()`` (which records and retries each delivery).
    """
    locale = locale or Locale()
    enqueue(send_templated_email_task, template, context, to, from_email, locale.language, locale.timezone)
