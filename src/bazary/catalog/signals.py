"""Signals the catalog sends.

``back_in_stock`` is sent when a product's or a variant's stock goes from zero
to more than zero, with ``product``, ``variant`` (``None`` for a product
without variants) and ``users`` (a queryset of the subscribers waiting for
it). bazary.notifications, when installed, is notified directly; projects
without it (or wanting more, e.g. a webhook) connect a receiver here.
"""

from django.dispatch import Signal

back_in_stock = Signal()
