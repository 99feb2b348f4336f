"""A provider that is not offline, for tests (card providers arrive with bazary.payments)."""

from bazary.orders.providers import PaymentProvider


class CardLike(PaymentProvider):
    code = "card_like"
    name = "Card"

    def start(self, order, request=None):
        return {"provider": self.code, "type": "redirect", "url": f"https://pay.example/{order.number}"}
