"""Signals of the orders, sent after the transaction commits.

- ``order_placed(sender=Order, order)``: checkout created ``order``.
- ``order_status_changed(sender=Order, order, event)``: a transition happened
  (``event`` is the :class:`~bazary.orders.models.OrderEvent` row).
"""

from django.dispatch import Signal

order_placed = Signal()
order_status_changed = Signal()
