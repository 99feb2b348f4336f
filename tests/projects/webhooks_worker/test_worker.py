"""The database task backend's worker, as a separate process, delivers webhooks and retries them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from bazary.testing.webhooks import Receiver, Reply, make_endpoint
from bazary.webhooks import send_event
from bazary.webhooks.events import EventType, registry
from bazary.webhooks.models import Delivery, DeliveryStatus

ROOT = Path(__file__).resolve().parents[3]


def run_worker() -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.projects.webhooks_worker.settings",
        "BAZARY_WORKER_DB": connection.settings_dict["NAME"],
    }
    # --batch: process what is queued (retries due at once included), then exit.
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "manage.py"),
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    return subprocess.CompletedProcess(process.args, process.returncode, output)


@pytest.mark.django_db(transaction=True)
def test_worker_process_delivers_and_retries():
    registry.register(EventType("tests.worker"))
    try:
        with Receiver([Reply(503), Reply(200)]) as receiver:
            _, secret = make_endpoint(receiver.url, ["tests.worker"])
            send_event("tests.worker", {"n": 1})
            # Queued for the worker: nothing sent by this process.
            delivery = Delivery.objects.get()
            assert delivery.status == DeliveryStatus.QUEUED
            assert DBTaskResult.objects.count() == 1
            assert receiver.received == []

            for _ in range(3):  # the retry is a task of its own, due at once
                result = run_worker()
                assert result.returncode == 0, result.stdout
                delivery.refresh_from_db()
                if delivery.status == DeliveryStatus.SENT:
                    break
            assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
            assert [r.verify(secret)["data"] for r in receiver.received] == [{"n": 1}, {"n": 1}]
            assert list(delivery.attempt_log.values_list("number", "status_code")) == [(1, 503), (2, 200)]
            # Another run sends nothing twice.
            assert run_worker().returncode == 0
            assert len(receiver.received) == 2
    finally:
        registry.unregister("tests.worker")
