"""The primary/replica router: reads to the replica until the request writes."""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from config.db_router import PinPrimaryMiddleware, PrimaryReplicaRouter

router = PrimaryReplicaRouter()


def in_request(view):
    """Run ``view`` inside the middleware, as a request would."""
    result = {}

    def get_response(request):
        result["value"] = view()
        return HttpResponse()

    PinPrimaryMiddleware(get_response)(RequestFactory().get("/"))
    return result["value"]


def test_reads_go_to_the_replica_until_the_request_writes():
    def view():
        before = router.db_for_read(None)
        write = router.db_for_write(None)
        after = router.db_for_read(None)
        return before, write, after

    assert in_request(view) == ("replica", "default", "default")
    # The next request starts on the replica again.
    assert in_request(lambda: router.db_for_read(None)) == "replica"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_on_the_primary_stay_there():
    def view():
        with transaction.atomic():
            return router.db_for_read(None)

    assert in_request(view) == "default"


def test_outside_a_request_everything_uses_the_primary():
    # Task workers and commands open transactions on queryset.db and lock rows.
    assert router.db_for_read(None) == "default"


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "bazary_catalog")
    assert not router.allow_migrate("replica", "bazary_catalog")
