"""The new sign-in email (``accounts.new_sign_in``): a sign-in from a device or network not seen lately.

After each sign-in (``login_succeeded`` event), :func:`after_sign_in` enqueues
:func:`send_new_sign_in_notice`, which runs once the response has been sent
(``bazary.core.tasks.enqueue``) or in a worker: the sign-in itself pays for one
``INSERT`` only. The task mails the account when no earlier sign-in within
``NEW_DEVICE_WINDOW_DAYS`` came from the same user agent *and* the same network
(the IPv4 /24, the IPv6 /48 around the address). The account's first sign-in on
record (just registered, or the first since the log was installed) sends
nothing: there is nothing yet to compare with.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from ipaddress import ip_network
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from bazary.core.tasks import enqueue, task

from ..conf import accounts_settings, get_adapter
from . import EventKind

#: Prefix lengths of a "network": the sign-ins of one home, office or mobile carrier cell.
IPV4_PREFIX = 24
IPV6_PREFIX = 48
#: Earlier sign-ins compared, at most (distinct user agent and address pairs).
MAX_COMPARED = 500


def network_of(ip: str | None) -> str:
    """The network around ``ip`` (``"203.0.113.0/24"``, ``"2001:db8:1::/48"``); empty for no address."""
    if not ip:
        return ""
    try:
        prefix = IPV6_PREFIX if ":" in ip else IPV4_PREFIX
        return str(ip_network(f"{ip}/{prefix}", strict=False))
    except ValueError:
        return ""


def describe_device(user_agent: str) -> str:
    """``"Firefox 140 on Windows 10"``: the browser and system of a user agent (``ua-parser``)."""
    from ua_parser import parse

    if not user_agent:
        return _("an unknown device")
    result = parse(user_agent)
    agent, system = result.user_agent, result.os
    if agent is None or agent.family == "Other":
        return user_agent[:120]
    browser = f"{agent.family} {agent.major}" if agent.major else agent.family
    if system is None or system.family == "Other":
        return browser
    platform = f"{system.family} {system.major}" if system.major else system.family
    return _("%(browser)s on %(system)s") % {"browser": browser, "system": platform}


def is_new_device(event: Any) -> bool:
    """Whether ``event`` (a ``login_succeeded``) comes from a user agent + network unseen within the window."""
    from ..models import AccountEvent

    earlier = AccountEvent.objects.filter(user_id=event.user_id, kind=EventKind.LOGIN_SUCCEEDED).exclude(pk=event.pk)
    if not earlier.filter(created_at__lte=event.created_at).exists():
        return False  # the first sign-in on record
    since = event.created_at - timedelta(days=accounts_settings.NEW_DEVICE_WINDOW_DAYS)
    network = network_of(event.ip)
    seen = (
        earlier.filter(created_at__gte=since, created_at__lte=event.created_at, user_agent=event.user_agent)
        .order_by()
        .values_list("ip", flat=True)
        .distinct()[:MAX_COMPARED]
    )
    return not any(network_of(ip) == network for ip in seen)


@task()
def send_new_sign_in_notice(event_id: int, language: str | None = None) -> None:
    """Mail the account of the ``login_succeeded`` event ``event_id`` if it came from a new device."""
    from .. import emails
    from ..models import AccountEvent

    event = AccountEvent.objects.select_related("user").filter(pk=event_id).first()
    if event is None or event.user is None or event.kind != EventKind.LOGIN_SUCCEEDED:
        return
    adapter = get_adapter()
    user = event.user
    if not adapter.can_login(user) or not is_new_device(event):
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        when = event.created_at.astimezone(UTC)
        emails.send(
            "new_sign_in",
            user,
            {
                "email": adapter.get_email(user),
                "name": emails.recipient_name(user),
                "device": describe_device(event.user_agent),
                "network": network_of(event.ip) or _("unknown"),
                "ip": event.ip or "",
                "time": f"{when:%Y-%m-%d %H:%M} UTC",
                "sessions_url": accounts_settings.SESSIONS_URL,
            },
        )


def after_sign_in(event: Any) -> None:
    """Enqueue the new-device check of the ``login_succeeded`` ``event`` (after the response)."""
    enqueue(send_new_sign_in_notice, event.pk, translation.get_language())
