"""Signals the catalog sends.

``back_in_stock`` is sent when a product's or a variant's stock goes from zero
to more than zero, with ``product``, ``variant`` (``None`` for a product
without variants) and ``users`` (a queryset of the subscribers waiting for
it). bazary.notifications, when installed, is notified directly; projects
without it (or wanting more, e.g. a webhook) connect a receiver here.

``stock_changed`` is sent by ``adjust_stock()`` for every change it makes,
inside its transaction (receivers that act outside the database wait for the
commit, as bazary.webhooks does), with ``product_id``, ``variant_id`` (``None``
for a product's own stock), ``old_stock``, ``new_stock``, ``delta`` and
``reason``; ``sender`` is the model whose stock changed.
"""

from django.dispatch import Signal

back_in_stock = Signal()
stock_changed = Signal()
