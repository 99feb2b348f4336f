"""Forget what bazary.notifications holds about a user (called when an account is deleted)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import Delivery, DeliveryStatus, Notification

#: Kept in ``Delivery.address`` of scrubbed rows (the column is required).
FORGOTTEN_ADDRESS = ""


def forget_user(user: Any) -> None:
    """Delete the user's in-app notifications and strip the personal fields of their deliveries.

    Deliveries not sent yet are cancelled (marked failed): their address is gone.
    The rows themselves stay, without address, subject, bodies or data, as a log
    of what kind of message went out when.
    """
    with transaction.atomic():
        Notification.objects.filter(recipient=user).delete()
        deliveries = Delivery.objects.filter(recipient=user)
        deliveries.filter(status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="Cancelled: the account was deleted."
        )
        deliveries.exclude(last_error="Cancelled: the account was deleted.").update(last_error="")
        deliveries.update(address=FORGOTTEN_ADDRESS, subject="", body="", html="", data={})
