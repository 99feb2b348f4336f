"""bazary.accounts' own receivers (connected in ``AppConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from .models import Session


def forget_deleted_user(sender: Any, user: Any, **kwargs: Any) -> None:
    """On ``user_deleted``: drop the session log (IPs, user agents) and the user's notifications."""
    Session.objects.filter(token__user=user).delete()
    if apps.is_installed("bazary.notifications"):
        from bazary.notifications.privacy import forget_user

        forget_user(user)
