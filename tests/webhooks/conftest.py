from __future__ import annotations

import pytest

from bazary.testing.webhooks import Receiver

FAST = {"ALLOW_PRIVATE_NETWORKS": True, "RETRY_DELAYS": [0.01, 0.02], "MAX_ATTEMPTS": 3, "TIMEOUT": 5}


@pytest.fixture
def fast(settings):
    """Deliveries to loopback allowed, short retries."""
    settings.BAZARY_WEBHOOKS = dict(FAST)
    return settings


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running
