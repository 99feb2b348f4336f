import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.core.cache import caches
from rest_framework.test import APIClient

from bazary.testing.accounts import DEFAULT_PASSWORD, UserFactory

PASSWORD = DEFAULT_PASSWORD
NEW_PASSWORD = "another long passphrase 42"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle and lockout counters live in the cache: each test starts clean.
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def user(db):
    return UserFactory(first_name="Ada", last_name="Lovelace")


@pytest.fixture
def other_user(db):
    return UserFactory()


def login(client: APIClient, email: str, password: str = PASSWORD, **extra) -> dict:
    response = client.post("/api/auth/token/", {"email": email, "password": password}, format="json", **extra)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def tokens(api_client, user):
    return login(api_client, user.email)


@pytest.fixture
def auth_client(tokens):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def emails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def link_in(message) -> str:
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return match.group(0)


def query_of(message) -> dict[str, str]:
    """The query parameters of the link in an email (``token``, ``uid``)."""
    return {key: values[0] for key, values in parse_qs(urlparse(link_in(message)).query).items()}


#: Django's recommended validators (the test projects set none, so tests opt in).
PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]


@pytest.fixture
def password_validators(settings):
    settings.AUTH_PASSWORD_VALIDATORS = PASSWORD_VALIDATORS
