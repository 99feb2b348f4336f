"""The test projects' settings leave nothing in the temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: How each folder gets its first file: the real storage and the real mail backend.
WRITE = {
    "MEDIA_ROOT": (
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import FileSystemStorage\n"
        "FileSystemStorage().save('file.txt', ContentFile(b'written by a test'))\n"
    ),
    "EMAIL_FILE_PATH": (
        "from django.core.mail import send_mail\n"
        "send_mail('Subject', 'written by a test', 'from@example.com', ['to@example.com'])\n"
    ),
}
FOLDERS = [
    ("tests.projects.full.settings", "MEDIA_ROOT"),
    ("tests.projects.notifications_worker.settings", "MEDIA_ROOT"),
    ("tests.projects.notifications_worker.settings", "EMAIL_FILE_PATH"),
]


def run(tmp_path: Path, module: str, code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BAZARY_WORKER_MAIL_DIR"}
    env["TMPDIR"] = str(tmp_path)  # tempfile.gettempdir() is here
    env["DJANGO_SETTINGS_MODULE"] = module
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(("module", "setting"), FOLDERS)
def test_a_process_that_writes_in_its_folders_removes_them_at_exit(tmp_path, module, setting):
    code = (
        "import pathlib, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        f"folder = pathlib.Path(settings.{setting})\n"
        "assert not folder.exists(), 'made before anything is written'\n"
        f"{WRITE[setting]}"
        "assert any(folder.iterdir())\n"
        "print(folder)\n"
    )
    result = run(tmp_path, module, code)
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    assert folder.parent == tmp_path
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("module", sorted({module for module, _ in FOLDERS}))
def test_a_process_that_loads_the_settings_and_skips_atexit_leaves_nothing(tmp_path, module):
    # What mypy's Django plugin does with tests.projects.full.settings (pyproject's
    # [tool.django-stubs]): it imports them, writes nothing and leaves by os._exit.
    code = f"import os, {module}\nos._exit(0)\n"
    result = run(tmp_path, module, code)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []
