import pytest

from ops import health

pytestmark = pytest.mark.django_db


def test_live_answers_without_touching_dependencies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_checks_every_dependency(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "storage", "tasks"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_ready_is_503_and_names_the_failing_dependency(client, monkeypatch):
    def broken_cache():
        raise ConnectionError("redis://secret@10.0.0.5:6379 refused")

    monkeypatch.setitem(health.CHECKS, "cache", broken_cache)
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["cache"] == {"status": "error", "error": "ConnectionError"}
    assert body["checks"]["database"]["status"] == "ok"
    # The error message (hosts, credentials) never reaches the response.
    assert "secret" not in response.content.decode()


def test_health_endpoints_only_answer_get(client):
    assert client.post("/health/live").status_code == 405
