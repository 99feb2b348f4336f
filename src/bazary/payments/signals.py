"""Signals of the payments, sent after the transaction commits (never for a
change that was rolled back), once per change.

- ``payment_created(sender=Payment, payment)``: :func:`~bazary.payments.services.start_payment`
  created ``payment`` (``pending``; its provider ``reference`` may still be empty).
- ``payment_status_changed(sender=Payment, payment, from_status, to_status)``:
  :func:`~bazary.payments.transitions.set_status` moved ``payment``.
- ``payment_refunded(sender=Payment, payment, amount, refund)``: ``amount`` of
  ``payment`` was given back; ``refund`` is the :class:`~bazary.payments.models.Refund`
  row of a refund made through bazary, ``None`` for one the provider reported
  (made in its dashboard).

``payment`` is a copy of the row as it was right after the change, so a later
change in the same transaction does not show in an earlier signal.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.dispatch import Signal

payment_created = Signal()
payment_status_changed = Signal()
payment_refunded = Signal()


def send_on_commit(signal: Signal, payment: Any, **kwargs: Any) -> None:
    """Send ``signal`` for ``payment`` (as it is now) when the current transaction commits."""
    snapshot = copy.copy(payment)
    transaction.on_commit(lambda: signal.send(sender=type(snapshot), payment=snapshot, **kwargs))
