"""BAZARY_WEBHOOKS is validated by system checks with stable ids."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks

from bazary.testing.webhooks import make_endpoint


def ids(**kwargs):
    return {message.id for message in run_checks(tags=["bazary"], **kwargs) if message.id.startswith("bazary_webhooks")}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({}, set()),
        ({"TIMEOUT": 0}, {"bazary_webhooks.E010"}),
        ({"TIMEOUT": 61}, {"bazary_webhooks.E010"}),
        ({"MAX_ATTEMPTS": 0}, {"bazary_webhooks.E011"}),
        ({"RETRY_DELAYS": [1, -1]}, {"bazary_webhooks.E012"}),
        ({"RETRY_DELAYS": [1, "2"]}, {"bazary_webhooks.E012"}),
        ({"DISABLE_AFTER": -1}, {"bazary_webhooks.E013"}),
        ({"SECRET_GRACE_PERIOD": -5}, {"bazary_webhooks.E014"}),
        ({"TASK_BACKEND": "nope"}, {"bazary_webhooks.E015"}),
        ({"PAGE_SIZE": 500}, {"bazary_webhooks.E016"}),
        ({"ALLOW_PRIVATE_NETWORK": True}, {"bazary_webhooks.E002"}),
        ({"INCLUDE_PII": "yes"}, {"bazary_webhooks.E003"}),
    ],
)
def test_settings_checks(settings, value, expected):
    settings.BAZARY_WEBHOOKS = value
    assert ids() == expected


@pytest.mark.django_db
def test_an_endpoint_on_an_unregistered_type_is_a_warning_with_database_checks():
    make_endpoint("https://hooks.example.com/in", ["product.created", "gone.app_event"])
    assert ids() == set()  # checks read no database unless asked
    assert ids(databases=["default"]) == {"bazary_webhooks.W001"}
