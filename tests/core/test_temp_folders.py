"""The test projects' settings leave nothing in the temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("module", "setting"),
    [
        ("tests.projects.full.settings", "MEDIA_ROOT"),
        ("tests.projects.notifications_worker.settings", "MEDIA_ROOT"),
        ("tests.projects.notifications_worker.settings", "EMAIL_FILE_PATH"),
    ],
)
def test_a_process_that_loads_the_settings_removes_its_folders(tmp_path, module, setting):
    env = {k: v for k, v in os.environ.items() if k != "BAZARY_WORKER_MAIL_DIR"}
    env["TMPDIR"] = str(tmp_path)  # tempfile.mkdtemp() creates the folder here
    code = (
        f"import pathlib, {module} as s\n"
        f"folder = pathlib.Path(s.{setting})\n"
        "assert folder.is_dir()\n"
        "(folder / 'file.txt').write_text('written by a test')\n"
        "print(folder)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    assert folder.parent == tmp_path
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []
