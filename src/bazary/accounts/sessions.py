"""Refresh tokens as sessions: issue, rotate, revoke (simplejwt + its blacklist app).

bazary rotates refresh tokens itself (``BAZARY_ACCOUNTS["ROTATE_REFRESH_TOKENS"]``)
so a project gets rotation with blacklisting without touching ``SIMPLE_JWT``;
lifetimes and signing keys still come from ``SIMPLE_JWT``.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from bazary.core.network import client_ip

from .conf import accounts_settings, get_adapter
from .models import Session

USER_AGENT_MAX = 512


class RefreshRefused(Exception):
    """The refresh token is invalid, expired, revoked, already rotated, or its user may not log in."""


def _record_session(refresh: RefreshToken, request: HttpRequest | None) -> None:
    token = OutstandingToken.objects.get(jti=refresh[jwt_settings.JTI_CLAIM])
    user_agent = ""
    ip = None
    if request is not None:
        # NUL and other control characters never reach the database.
        raw_agent = request.META.get("HTTP_USER_AGENT", "")
        user_agent = "".join(ch for ch in raw_agent if ch.isprintable())[:USER_AGENT_MAX]
        ip = client_ip(request) or None
    Session.objects.create(token=token, user_agent=user_agent, ip_address=ip)


def issue_tokens(user: Any, request: HttpRequest | None = None) -> dict[str, str]:
    """A new access/refresh pair for ``user``, recorded as a session."""
    with transaction.atomic():
        refresh = RefreshToken.for_user(user)  # also creates the OutstandingToken row
        _record_session(refresh, request)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _load_refresh(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)  # type: ignore[arg-type]  # signature, expiry, type, blacklist
    except TokenError as exc:
        raise RefreshRefused(str(exc)) from exc


def user_of(token: Any) -> Any:
    """The account a token was issued to, if it may still log in; else :class:`RefreshRefused`."""
    user_id = token.payload.get(jwt_settings.USER_ID_CLAIM)
    model = get_adapter().user_model
    try:
        user = model._default_manager.get(**{jwt_settings.USER_ID_FIELD: user_id})
    except (model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise RefreshRefused("no such user") from exc
    if not get_adapter().can_login(user):
        raise RefreshRefused("user may not log in")
    return user


def lock_user(user: Any) -> None:
    """Lock the user's row until the end of the transaction (``SELECT … FOR UPDATE``).

    Every rotation and every revocation of a user's tokens takes this lock
    first, so they exclude each other: a revocation sees every token a
    rotation committed, and a rotation waiting for the lock finds its token
    revoked. Any ``AUTH_USER_MODEL`` has the row, so nothing is added to it.
    """
    type(user)._default_manager.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def refresh_tokens(raw: str, request: HttpRequest | None = None) -> dict[str, str]:
    """Exchange a refresh token for a new access token (and a new refresh token when rotating).

    Safe under concurrency: the user's row is locked (:func:`lock_user`) and
    the blacklist row inserted inside one transaction, and
    ``BlacklistedToken.token`` is unique, so of many simultaneous refreshes of
    one token at most one succeeds, and none slips past a revocation.
    """
    refresh = _load_refresh(raw)
    user = user_of(refresh)
    if not accounts_settings.ROTATE_REFRESH_TOKENS:
        return {"access": str(refresh.access_token)}
    jti = refresh[jwt_settings.JTI_CLAIM]
    try:
        with transaction.atomic():
            lock_user(user)
            outstanding = OutstandingToken.objects.filter(jti=jti).first()
            if outstanding is None or (outstanding.user_id is not None and outstanding.user_id != user.pk):
                raise RefreshRefused("unknown token")
            if BlacklistedToken.objects.filter(token=outstanding).exists():
                raise RefreshRefused("already used")
            BlacklistedToken.objects.create(token=outstanding)
            new_refresh = RefreshToken.for_user(user)
            _record_session(new_refresh, request)
    except IntegrityError as exc:  # a concurrent refresh blacklisted it first
        raise RefreshRefused("already used") from exc
    return {"access": str(new_refresh.access_token), "refresh": str(new_refresh)}


def live_tokens(user: Any) -> QuerySet[OutstandingToken]:
    """The user's refresh tokens that are neither blacklisted nor expired."""
    return OutstandingToken.objects.filter(
        user=user, blacklistedtoken__isnull=True, expires_at__gt=timezone.now()
    ).select_related("bazary_session")


def revoke(user: Any, tokens: QuerySet[OutstandingToken]) -> int:
    """Blacklist every token of ``user`` in ``tokens`` not blacklisted yet, under :func:`lock_user`."""
    with transaction.atomic():
        lock_user(user)
        pending = list(
            tokens.filter(user=user, blacklistedtoken__isnull=True).order_by("pk").values_list("pk", flat=True)
        )
        BlacklistedToken.objects.bulk_create([BlacklistedToken(token_id=pk) for pk in pending], ignore_conflicts=True)
    return len(pending)


def revoke_all(user: Any, *, except_jti: str | None = None) -> int:
    tokens = OutstandingToken.objects.filter(user=user)
    if except_jti:
        tokens = tokens.exclude(jti=except_jti)
    return revoke(user, tokens)


def revoke_refresh(raw: str, user: Any) -> None:
    """Blacklist one refresh token of ``user`` (logout); another user's token is refused."""
    refresh = _load_refresh(raw)
    if str(refresh.payload.get(jwt_settings.USER_ID_CLAIM)) != str(getattr(user, jwt_settings.USER_ID_FIELD)):
        raise RefreshRefused("not your token")
    if not revoke(user, OutstandingToken.objects.filter(jti=refresh[jwt_settings.JTI_CLAIM])):
        refresh.blacklist()  # a token issued without an outstanding row: record and blacklist it
