"""What bazary.notifications keeps about a user whose account is gone.

Two paths forget: :func:`forget_user`, called when an account is deleted, for
what was stored before; and the delivery worker, for the messages that go out
after (the farewell "your account was deleted" mail, a kind with
``farewell=True``), which it scrubs with :func:`scrubbed_fields` once they are
sent or have failed for good.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import Delivery, DeliveryStatus, Notification

#: Kept in ``Delivery.address`` of scrubbed rows (the column is required).
FORGOTTEN_ADDRESS = ""

CANCELLED_DELETED = "Cancelled: the account was deleted."


def scrubbed_fields() -> dict[str, Any]:
    """The values of a delivery's personal fields once forgotten: no address,
    subject, bodies, data or sealed one-time values. Kind, channel, status and times stay as the log."""
    return {"address": FORGOTTEN_ADDRESS, "subject": "", "body": "", "html": "", "data": {}, "sealed": ""}


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
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=CANCELLED_DELETED
        )
        deliveries.exclude(last_error=CANCELLED_DELETED).update(last_error="")
        deliveries.update(**scrubbed_fields())
