#!/usr/bin/env python3
"""The two commands of the README, for a fresh clone with only Python and git.

    python3 dev.py demo    # the demo site on embedded defaults, with demo data and API docs
    python3 dev.py test    # the whole test suite (SQLite, local memory, local files)

Both create ``.venv`` on first use and install bazary (editable) with what the
command needs; later runs reinstall only when ``pyproject.toml`` changed.
Extra arguments go to the demo command or to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
GROUPS = {"demo": ["example"], "test": ["test"]}


def run(*args: str | Path, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def ensure_environment(groups: list[str]) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py must explain, not crash, on old Pythons
        sys.exit(f"bazary needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + " ".join(groups).encode()).hexdigest()
    stamp = VENV / f".bazary-installed-{'-'.join(groups)}"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print("Installing bazary and its dependencies into .venv ...", flush=True)
    quiet = ["--quiet", "--disable-pip-version-check"]
    # pip >= 25.1 reads PEP 735 dependency groups from pyproject.toml.
    run(PYTHON, "-m", "pip", "install", *quiet, "--upgrade", "pip>=25.1")
    group_args = [arg for group in groups for arg in ("--group", group)]
    run(PYTHON, "-m", "pip", "install", *quiet, "--editable", ".", *group_args, cwd=ROOT)
    stamp.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in GROUPS:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    ensure_environment(GROUPS[command])
    if command == "demo":
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.development"}
        return subprocess.call([str(PYTHON), "manage.py", "demo", *extra], cwd=ROOT / "example_project", env=env)
    return subprocess.call([str(PYTHON), "-m", "tests.runall", *extra], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
