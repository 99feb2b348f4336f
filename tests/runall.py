"""Run the whole suite: the main project, then each other test project.

pytest-django configures one settings module per process, so each project in
``tests/projects/`` that has tests of its own gets a pytest run of its own.
Usage: ``python -m tests.runall [pytest args...]``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECTS = Path(__file__).parent / "projects"
EXAMPLE = Path(__file__).parent.parent / "example_project"


def main(args: list[str]) -> int:
    e2e = Path(__file__).parent / "e2e"  # run by nox -s e2e, against a deployed site
    runs = [["tests", f"--ignore={PROJECTS}", f"--ignore={e2e}", "--ds=tests.projects.full.settings"]]
    for project in sorted(p for p in PROJECTS.iterdir() if p.is_dir() and any(p.glob("test_*.py"))):
        runs.append([str(project), f"--ds=tests.projects.{project.name}.settings"])
    # The example project's own tests (health, settings per environment, demo).
    runs.append([str(EXAMPLE / "tests"), "--ds=config.settings.testing"])
    failed = []
    for run in runs:
        print(f"\n=== pytest {' '.join(run)}", flush=True)
        code = subprocess.call([sys.executable, "-m", "pytest", *run, *args])
        if code not in (0,):
            failed.append((run[0], code))
    for where, code in failed:
        print(f"FAILED: {where} (exit {code})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
