"""Mounted at the API root by ``bazary.urls``, or alone with
``path("shop/", include("bazary.payments.urls"))``."""

from django.urls import path

from .views import OrderPaymentsView, OrderRefundsView, WebhookView

app_name = "bazary_payments"

urlpatterns = [
    path("orders/<str:number>/payments/", OrderPaymentsView.as_view(), name="order-payments"),
    path("orders/<str:number>/refunds/", OrderRefundsView.as_view(), name="order-refunds"),
    path("payments/webhooks/<str:provider>/", WebhookView.as_view(), name="webhook"),
]
