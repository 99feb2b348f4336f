from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

PASSWORD = "a-long-test-password-1"


def make_user(name: str, **extra: Any) -> Any:
    """A user of whatever AUTH_USER_MODEL the project uses."""
    User = get_user_model()
    email = f"{name}@example.com"
    fields: dict[str, Any] = {User.USERNAME_FIELD: email if User.USERNAME_FIELD == "email" else name}
    if User.USERNAME_FIELD != "email":
        fields["email"] = email
    return User._default_manager.create_user(password=PASSWORD, **fields, **extra)


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer(db):
    return make_user("customer")


@pytest.fixture
def other(db):
    return make_user("other")


ADDRESS = {"recipient_name": "Ann Smith", "line1": "1 Main St", "city": "Springfield", "country": "DE"}
