"""Card payments (Stripe, Chapa) behind the orders' payment provider interface."""
