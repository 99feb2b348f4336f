"""bazary.orders: a server-side cart, a checkout that reserves stock atomically,
orders with a status history, and the shipping, tax and payment-provider hooks."""
