"""Refresh tokens as sessions: issue, rotate, revoke (simplejwt + its blacklist app).

bazary rotates refresh tokens itself (``BAZARY_ACCOUNTS["ROTATE_REFRESH_TOKENS"]``)
so a project gets rotation with blacklisting without touching ``SIMPLE_JWT``;
lifetimes and signing keys still come from ``SIMPLE_JWT``.

Each sign-in is a :class:`~bazary.accounts.models.Login` (a token family): its
refresh tokens, one after the other as they rotate, and the access tokens they
issued all carry its id in the ``sid`` claim. Revoking a login blacklists its
refresh tokens and, through ``bazary.accounts.authentication``, refuses its
access tokens at once; reusing a rotated refresh token revokes its login.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.contrib.auth import user_logged_in
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import BlacklistMixin, RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from bazary.core.network import client_ip
from bazary.core.network import user_agent as request_user_agent

from . import activity
from .activity.new_device import after_sign_in
from .authentication import LOGIN_CLAIM
from .conf import accounts_settings, get_adapter
from .models import Login, RevokeReason, Session

logger = logging.getLogger(__name__)

USER_AGENT_MAX = 512


class RefreshRefused(Exception):
    """The refresh token is invalid, expired, revoked, already rotated, or its user may not log in."""


class _RefreshToken(RefreshToken):
    """simplejwt's refresh token; bazary checks the blacklist itself, under the user's lock."""

    def check_blacklist(self) -> None:
        pass


def _new_refresh(user: Any, login: Login) -> tuple[RefreshToken, OutstandingToken]:
    """A refresh token of ``login`` and its outstanding row, which records the token as handed out."""
    # simplejwt's Token.for_user (the user id claim...), without BlacklistMixin.for_user's
    # outstanding row: that row stores the token's text, which must include the login claim.
    refresh = super(BlacklistMixin, RefreshToken).for_user(user)  # type: ignore[misc]
    refresh[LOGIN_CLAIM] = str(login.pk)
    outstanding = OutstandingToken.objects.create(
        user=user,
        jti=refresh[jwt_settings.JTI_CLAIM],
        token=str(refresh),
        created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return refresh, outstanding


def _record_session(token: OutstandingToken, login: Login, request: HttpRequest | None) -> None:
    user_agent = ""
    ip = None
    if request is not None:
        user_agent = request_user_agent(request, USER_AGENT_MAX)
        ip = client_ip(request) or None
    Session.objects.create(token=token, login=login, user_agent=user_agent, ip_address=ip)


def _pair(refresh: RefreshToken) -> dict[str, str]:
    return {"access": str(refresh.access_token), "refresh": str(refresh)}  # the access token copies sid


def issue_tokens(user: Any, request: HttpRequest | None = None, *, method: str | None = None) -> dict[str, str]:
    """A new access/refresh pair for ``user``: a new login, recorded as a session.

    It is a sign-in: a ``login_succeeded`` event is written (with ``method``, e.g. ``"password"``,
    when given) and the new-device check is enqueued (:mod:`bazary.accounts.activity.new_device`).
    """
    with transaction.atomic():
        login = Login.objects.create(user=user)
        refresh, outstanding = _new_refresh(user, login)
        _record_session(outstanding, login, request)
        data: dict[str, Any] = {"method": method} if method else {}
        event = activity.record(activity.EventKind.LOGIN_SUCCEEDED, request=request, user=user, **data)
    after_sign_in(event)
    return _pair(refresh)


def sign_in(user: Any, request: HttpRequest | None = None, *, method: str | None = None) -> dict[str, str]:
    """A completed login (password, password and second factor, or passkey): :func:`issue_tokens`, then
    Django's ``user_logged_in`` (its receiver updates ``last_login``; audit receivers hear it too).

    ``method`` (``"password"``, ``"totp"``, ``"recovery_code"``, ``"passkey"``) goes in the ``login_succeeded`` event.
    """
    pair = issue_tokens(user, request, method=method)
    user_logged_in.send(sender=type(user), request=request, user=user)
    return pair


def _load_refresh(raw: str, *, check_blacklist: bool = True) -> RefreshToken:
    token_class = RefreshToken if check_blacklist else _RefreshToken
    try:
        return token_class(raw)  # type: ignore[arg-type]  # signature, expiry, type (and the blacklist)
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


def check_login(token: Any, user: Any) -> None:
    """:class:`RefreshRefused` unless the login ``token`` names (claim ``sid``) is ``user``'s and live.

    A refresh token without the claim (issued before bazary recorded logins)
    passes: the blacklist decides for it. An access token without it is refused,
    as ``bazary.accounts.authentication`` refuses it.
    """
    claim = token.get(LOGIN_CLAIM)
    if claim is None:
        if token.get(jwt_settings.TOKEN_TYPE_CLAIM) == RefreshToken.token_type:
            return
        raise RefreshRefused("no login")
    try:
        login_id = uuid.UUID(str(claim))
    except ValueError as exc:
        raise RefreshRefused("no login") from exc
    if not Login.objects.filter(pk=login_id, user=user, revoked_at__isnull=True).exists():
        raise RefreshRefused("revoked")


def _login_of(outstanding: OutstandingToken) -> Login | None:
    session = getattr(outstanding, "bazary_session", None)
    return session.login if session is not None else None


def refresh_tokens(raw: str, request: HttpRequest | None = None) -> dict[str, str]:
    """Exchange a refresh token for a new access token (and a new refresh token when rotating).

    Safe under concurrency: the user's row is locked (:func:`lock_user`) and
    the blacklist row inserted inside one transaction, and
    ``BlacklistedToken.token`` is unique, so of many simultaneous refreshes of
    one token at most one succeeds, and none slips past a revocation.

    A refresh token that rotation already replaced is a reuse (OAuth 2.0
    security BCP): one of its holders is not the user, so its whole login is
    revoked, descendants included, and a warning is logged.
    """
    refresh = _load_refresh(raw, check_blacklist=False)
    user = user_of(refresh)
    jti = refresh[jwt_settings.JTI_CLAIM]
    refused = reused = None
    try:
        with transaction.atomic():
            lock_user(user)
            outstanding = OutstandingToken.objects.filter(jti=jti).select_related("bazary_session__login").first()
            if outstanding is None or (outstanding.user_id is not None and outstanding.user_id != user.pk):
                raise RefreshRefused("unknown token")
            login = _login_of(outstanding)
            if BlacklistedToken.objects.filter(token=outstanding).exists():
                refused = "already used"
                # Without rotation a blacklisted token was revoked, never rotated: not a reuse.
                if accounts_settings.ROTATE_REFRESH_TOKENS and (login is None or login.revoked_at is None):
                    # Revoked in this transaction, which must commit: no raise inside it.
                    reused = _revoke_reused(user, login)
            elif login is not None and login.revoked_at is not None:
                refused = "revoked"
            else:
                if login is None:
                    # A token from before bazary recorded logins, or from other code: it starts one.
                    login = Login.objects.create(user=user)
                    Session.objects.filter(token=outstanding).update(login=login)
                if not accounts_settings.ROTATE_REFRESH_TOKENS:
                    access = refresh.access_token
                    access[LOGIN_CLAIM] = str(login.pk)
                    return {"access": str(access)}
                BlacklistedToken.objects.create(token=outstanding)
                new_refresh, new_outstanding = _new_refresh(user, login)
                _record_session(new_outstanding, login, request)
    except IntegrityError as exc:  # a concurrent refresh blacklisted it first
        raise RefreshRefused("already used") from exc
    if reused is not None:
        logger.warning(
            "A rotated refresh token of user %s was used again (client %s): %s revoked (%d refresh tokens).",
            user.pk,
            (client_ip(request) or "unknown") if request is not None else "unknown",
            f"login {login.pk}" if login is not None else "every login of the user",
            reused,
        )
        activity.record(activity.EventKind.REFRESH_REUSED, request=request, user=user, revoked=reused)
    if refused is not None:
        raise RefreshRefused(refused)
    return _pair(new_refresh)


def _revoke_reused(user: Any, login: Login | None) -> int:
    """Revoke the login of a reused refresh token; every login of the user when it has none recorded."""
    if login is None:
        # Rotated before bazary recorded logins: which login it began is unknown, so all go.
        return _revoke_locked(user, Login.objects.all(), OutstandingToken.objects.all(), RevokeReason.REUSE)
    return _revoke_locked(
        user,
        Login.objects.filter(pk=login.pk),
        OutstandingToken.objects.filter(bazary_session__login=login),
        RevokeReason.REUSE,
    )


def live_tokens(user: Any) -> QuerySet[OutstandingToken]:
    """The user's refresh tokens that are neither blacklisted nor expired."""
    return OutstandingToken.objects.filter(
        user=user, blacklistedtoken__isnull=True, expires_at__gt=timezone.now()
    ).select_related("bazary_session")


def _revoke_locked(user: Any, logins: QuerySet[Login], tokens: QuerySet[OutstandingToken], reason: str) -> int:
    """Revoke ``logins`` and blacklist ``tokens`` (both narrowed to ``user``), in a transaction holding
    :func:`lock_user`; answers how many refresh tokens were blacklisted."""
    logins.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_reason=reason)
    pending = list(tokens.filter(user=user, blacklistedtoken__isnull=True).order_by("pk").values_list("pk", flat=True))
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token_id=pk) for pk in pending], ignore_conflicts=True)
    return len(pending)


def revoke_logins(user: Any, tokens: QuerySet[OutstandingToken], reason: str) -> int:
    """Revoke the logins ``tokens`` (refresh tokens of ``user``) belong to: their access tokens stop
    working, their refresh tokens are blacklisted (a token with no login recorded is blacklisted alone)."""
    with transaction.atomic():
        lock_user(user)
        mine = tokens.filter(user=user)
        login_ids = list(
            mine.filter(bazary_session__login__isnull=False).values_list("bazary_session__login", flat=True)
        )
        return _revoke_locked(
            user,
            Login.objects.filter(pk__in=login_ids),
            OutstandingToken.objects.filter(Q(pk__in=mine.values("pk")) | Q(bazary_session__login__in=login_ids)),
            reason,
        )


def revoke_all(user: Any, reason: str, *, except_jti: str | None = None) -> int:
    """Revoke every login of ``user`` but the one of the refresh token ``except_jti``."""
    with transaction.atomic():
        lock_user(user)
        logins = Login.objects.all()
        tokens = OutstandingToken.objects.all()
        if except_jti:
            kept = (
                Session.objects.filter(token__jti=except_jti, token__user=user, login__isnull=False)
                .values_list("login", flat=True)
                .first()
            )
            tokens = tokens.exclude(jti=except_jti)
            if kept is not None:
                logins = logins.exclude(pk=kept)
                tokens = tokens.exclude(bazary_session__login=kept)
        return _revoke_locked(user, logins, tokens, reason)


def revoke_refresh(raw: str, user: Any) -> None:
    """Log out: revoke the login of one refresh token of ``user``; another user's token is refused."""
    refresh = _load_refresh(raw)
    if str(refresh.payload.get(jwt_settings.USER_ID_CLAIM)) != str(getattr(user, jwt_settings.USER_ID_FIELD)):
        raise RefreshRefused("not your token")
    if not revoke_logins(
        user, OutstandingToken.objects.filter(jti=refresh[jwt_settings.JTI_CLAIM]), RevokeReason.LOGOUT
    ):
        refresh.blacklist()  # a token issued without an outstanding row: record and blacklist it


def revoke_users(user_ids: list[Any], reason: str) -> int:
    """Revoke every login of each of ``user_ids`` at once: a few set-based queries, whatever their number.

    The users' rows are locked first (in primary key order, so two such calls cannot deadlock), as
    :func:`lock_user` does for one. Answers how many refresh tokens were blacklisted.
    """
    model = get_adapter().user_model
    with transaction.atomic():
        list(model._default_manager.select_for_update().filter(pk__in=user_ids).order_by("pk").values_list("pk"))
        Login.objects.filter(user_id__in=user_ids, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason
        )
        pending = list(
            OutstandingToken.objects.filter(user_id__in=user_ids, blacklistedtoken__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        BlacklistedToken.objects.bulk_create([BlacklistedToken(token_id=pk) for pk in pending], ignore_conflicts=True)
    return len(pending)
