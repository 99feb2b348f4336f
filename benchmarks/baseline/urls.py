from django.urls import path

from . import ceiling, views

urlpatterns = [
    path("products/", views.product_list),
    path("products/<slug:slug>/", views.product_detail),
    path("categories/tree/", views.category_tree),
    path("auth/token/", views.login),
    path("auth/token/refresh/", views.refresh),
    path("ceiling/products/", ceiling.product_list),
    path("ceiling/products/<slug:slug>/", ceiling.product_detail),
    path("ceiling/categories/tree/", ceiling.category_tree),
]
