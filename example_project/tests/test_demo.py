import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from demo.management.commands.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_ORDER_EMAIL


@pytest.mark.django_db
def test_demo_prepares_admin_and_catalog_and_prints_the_urls(capsys, client):
    call_command("demo", "--no-serve", "--products", "12")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/api/v1/docs/" in out
    assert "http://127.0.0.1:8000/admin/" in out
    assert DEMO_ADMIN_EMAIL in out
    admin = get_user_model().objects.get(email=DEMO_ADMIN_EMAIL)
    assert admin.is_superuser
    assert admin.check_password(DEMO_ADMIN_PASSWORD)

    response = client.get("/api/v1/products/")
    assert response.status_code == 200
    assert response.json()["count"] > 0

    from bazary.orders.models import Order

    order = Order.objects.get(email=DEMO_ORDER_EMAIL)
    assert f"Demo order {order.number}" in out
    assert order.status == "fulfilled"
    assert order.lines.count() == 2
    assert list(order.events.values_list("to_status", flat=True)) == ["pending_payment", "paid", "fulfilled"]
    admin_client = client
    admin_client.force_login(admin)
    assert admin_client.get(f"/admin/bazary_orders/order/{order.pk}/change/").status_code == 200

    # Running it again changes nothing and does not fail.
    call_command("demo", "--no-serve", "--products", "12")
    assert get_user_model().objects.filter(email=DEMO_ADMIN_EMAIL).count() == 1
    assert Order.objects.filter(email=DEMO_ORDER_EMAIL).count() == 1


@pytest.mark.django_db
def test_api_docs_are_served(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert "swagger-ui-bundle.js" in response.content.decode()
