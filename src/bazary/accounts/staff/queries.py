"""The querysets of ``auth/users/``: a fixed number of queries whatever the page size."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..activity import EventKind
from ..conf import accounts_settings, get_adapter
from ..models import AccountEvent, Address

#: Events after which an account's lockout is cleared (the unlock link, a reset, a new address).
CLEARS_LOCKOUT = (EventKind.UNLOCKED, EventKind.PASSWORD_RESET_COMPLETED, EventKind.EMAIL_CHANGE_CONFIRMED)
#: Events shown with one user.
RECENT_EVENTS = 20
SIGNUP_DAYS = 30


def locked_now(user_ref: str = "pk") -> Exists:
    """True for accounts a client is locked out of now.

    The lock itself lives in the cache, per client; the log says when one began:
    a ``locked_out`` event within ``LOCKOUT_DURATION`` with nothing since that
    clears the account's lockout (unlock, password reset, email change).
    """
    since = timezone.now() - timedelta(seconds=accounts_settings.LOCKOUT_DURATION)
    cleared = AccountEvent.objects.filter(
        user_id=OuterRef("user_id"), kind__in=CLEARS_LOCKOUT, created_at__gte=OuterRef("created_at")
    )
    return Exists(
        AccountEvent.objects.filter(user_id=OuterRef(user_ref), kind=EventKind.LOCKED_OUT, created_at__gte=since)
        .exclude(Exists(cleared))
        .values("pk")
    )


def has_mfa() -> Q:
    """True for accounts with a second factor: a confirmed authenticator app or a passkey (``bazary.accounts.mfa``)."""
    from ..mfa.models import Passkey, TOTPDevice

    return Q(Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed_at__isnull=False))) | Q(
        Exists(Passkey.objects.filter(user_id=OuterRef("pk")))
    )


def users() -> QuerySet[Any]:
    """Every account, with ``locked`` and ``has_mfa`` annotated and groups prefetched (when the model has them)."""
    adapter = get_adapter()
    queryset = adapter.user_model._default_manager.all().annotate(
        locked=locked_now(), has_mfa=ExpressionWrapper(has_mfa(), output_field=BooleanField())
    )
    if adapter.has_field("groups"):
        queryset = queryset.prefetch_related("groups")
    return queryset


def with_details(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """:func:`users` plus what one user's page shows: live sessions, addresses, recent events."""
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    live = (
        OutstandingToken.objects.filter(blacklistedtoken__isnull=True, expires_at__gt=timezone.now())
        .select_related("bazary_session")
        .order_by("-created_at", "-pk")
    )
    return queryset.prefetch_related(
        Prefetch("outstandingtoken_set", queryset=live, to_attr="live_tokens"),
        Prefetch("bazary_addresses", queryset=Address.objects.all(), to_attr="address_list"),
    )


def recent_events(user: Any) -> list[AccountEvent]:
    return list(
        AccountEvent.objects.filter(user=user).select_related("actor").order_by("-created_at", "-pk")[:RECENT_EVENTS]
    )


def stats() -> dict[str, Any]:
    """Totals, active, verified, staff, with MFA, locked now and sign-ups per day: three aggregate queries."""
    adapter = get_adapter()
    queryset = adapter.user_model._default_manager.all()
    counts: dict[str, Any] = {"total": Count("pk"), "with_mfa": Count("pk", filter=has_mfa())}
    if adapter.has_field("is_active"):
        counts["active"] = Count("pk", filter=Q(is_active=True))
    if adapter.has_field("email_verified_at"):
        counts["verified"] = Count("pk", filter=Q(email_verified_at__isnull=False))
    if adapter.has_field("is_staff"):
        counts["staff"] = Count("pk", filter=Q(is_staff=True))
    result = queryset.aggregate(**counts)
    result["locked"] = queryset.filter(locked_now()).count()
    result["signups"] = signups_per_day(queryset) if adapter.has_field("date_joined") else []
    return result


def signups_per_day(queryset: QuerySet[Any], days: int = SIGNUP_DAYS) -> list[dict[str, Any]]:
    """``[{date, count}]`` for each of the last ``days`` days (today included), zeros too."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        queryset.filter(date_joined__gte=start)
        .annotate(day=TruncDate("date_joined"))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    by_day = {row["day"]: row["count"] for row in rows}
    return [
        {"date": day.isoformat(), "count": by_day.get(day, 0)}
        for day in (first + timedelta(days=n) for n in range(days))
    ]
