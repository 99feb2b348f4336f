import gc

import pytest
from django.core.signals import request_finished

from config import gcfreeze


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(gcfreeze, "_served", 0)
    yield
    request_finished.disconnect(dispatch_uid="config_gcfreeze")
    gc.unfreeze()


def test_install_freezes_what_is_loaded_and_again_after_early_requests(fresh, monkeypatch):
    gc.unfreeze()
    gcfreeze.install()
    assert gc.get_freeze_count() > 10_000  # Django, DRF and bazary, views included
    freezes = []
    monkeypatch.setattr(gcfreeze, "freeze", lambda: freezes.append(gcfreeze._served))
    for _ in range(150):
        gcfreeze._request_finished(sender=None)  # what request_finished calls
    assert freezes == [1, 10, 100]
    # Then the receiver is gone: nothing more per request.
    assert not request_finished.disconnect(dispatch_uid="config_gcfreeze")


def test_the_wsgi_application_installs_it():
    import config.wsgi  # noqa: F401

    assert gc.get_freeze_count() > 0
