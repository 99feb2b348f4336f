"""The database task backend's worker, as a separate process, sends queued emails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_tasks_db.models import DBTaskResult

from bazary.notifications.api import notify
from bazary.notifications.kinds import Kind, registry
from bazary.notifications.models import Delivery, DeliveryStatus, Notification

ROOT = Path(__file__).resolve().parents[3]
HELLO = Kind("tests.hello", "tests_notifications/email/hello")


@pytest.fixture(autouse=True)
def hello_kind():
    registry.register(HELLO)
    yield
    registry.unregister(HELLO.code)


def run_worker(mail_dir: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.projects.notifications_worker.settings",
        "BAZARY_WORKER_DB": connection.settings_dict["NAME"],
        "BAZARY_WORKER_MAIL_DIR": str(mail_dir),
    }
    # --batch: process what is queued, then exit.
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
def test_worker_process_delivers_queued_emails(tmp_path):
    User = get_user_model()
    users = [User.objects.create_user(f"u{i}", email=f"u{i}@example.com") for i in range(3)]

    notify(User.objects.all(), "tests.hello", {"name": "Worker"})

    # In-app rows are written at once; the emails wait for a worker.
    assert Notification.objects.count() == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}
    assert DBTaskResult.objects.count() == 1  # one task for the batch

    result = run_worker(tmp_path)
    assert result.returncode == 0, result.stdout

    deliveries = list(Delivery.objects.order_by("address"))
    assert [(d.address, d.status, d.attempts) for d in deliveries] == [
        (f"u{i}@example.com", DeliveryStatus.SENT, 1) for i in range(3)
    ]
    sent = "\n".join(path.read_text() for path in tmp_path.iterdir())
    for user in users:
        assert f"To: {user.email}" in sent
        assert f"Dear {user.email}, Worker says hello." in sent
    assert sent.count("Subject: Hello Worker") == 3

    # A second run finds nothing to do and sends nothing twice.
    files = sorted(tmp_path.iterdir())
    assert run_worker(tmp_path).returncode == 0
    assert sorted(tmp_path.iterdir()) == files
