"""What staff do to an order, for the API and the admin alike: every move goes
through :func:`bazary.orders.transitions.transition`, with the rules of each
staff action around it (marking paid is for offline payments, refunds go
through the order's payment provider)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Order, OrderEvent, OrderStatus
from .providers import OfflinePayment, PaymentError, get_provider
from .transitions import TransitionNotAllowed, status_label, transition


class ActionRefused(Exception):
    """The staff action cannot be done; nothing changed."""

    def __init__(self, message: Any, code: str) -> None:
        self.message, self.code = message, code
        super().__init__(str(message))


def staff_transition(order: Order, to_status: str, *, by: Any, note: str = "", **changes: Any) -> OrderEvent:
    """Move ``order`` to ``to_status`` for a staff member ``by``; the note is
    internal. :class:`ActionRefused` (code ``transition_not_allowed``,
    ``not_offline`` or ``refund_failed``) when it cannot be done."""
    provider = get_provider(order.payment_provider)
    if to_status == OrderStatus.PAID and not isinstance(provider, OfflinePayment):
        raise ActionRefused(
            _("Only offline payments are marked paid by hand; this order's provider confirms its own payments."),
            code="not_offline",
        )
    if to_status == OrderStatus.REFUNDED:
        order.refresh_from_db()
        if not _allowed(order, to_status):
            raise _refused(order, to_status)
        if provider is None:
            raise ActionRefused(_("This order's payment provider is not configured."), code="refund_failed")
        try:
            result = provider.refund(order)
        except PaymentError as exc:
            raise ActionRefused(str(exc), code="refund_failed") from None
        done = gettext("Refund of %(amount)s %(currency)s: %(status)s.") % {
            "amount": result.amount,
            "currency": order.currency,
            "status": result.status,
        }
        note = f"{note}\n{done}".strip()
    try:
        return transition(order, to_status, by=by, note=note, internal=True, **changes)
    except TransitionNotAllowed:
        raise _refused(order, to_status) from None


def _allowed(order: Order, to_status: str) -> bool:
    from .transitions import is_allowed

    return is_allowed(order, order.status, to_status)


def _refused(order: Order, to_status: str) -> ActionRefused:
    return ActionRefused(
        _("An order that is %(from)s cannot become %(to)s.")
        % {"from": status_label(order.status), "to": status_label(to_status)},
        code="transition_not_allowed",
    )
