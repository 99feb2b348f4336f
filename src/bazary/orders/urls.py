"""Mounted at the API root by ``bazary.urls``, or alone with
``path("shop/", include("bazary.orders.urls"))``."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import CartItemsView, CartItemView, CartView, OrderViewSet

app_name = "bazary_orders"

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")

urlpatterns = [
    path("cart/", CartView.as_view(), name="cart"),
    path("cart/items/", CartItemsView.as_view(), name="cart-items"),
    path("cart/items/<str:pk>/", CartItemView.as_view(), name="cart-item"),
    path("", include(router.urls)),
]
