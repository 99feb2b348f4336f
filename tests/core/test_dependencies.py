"""Every third-party module bazary imports comes from a distribution pyproject.toml names.

A module that is only there because something else pulled it in (urllib3 came
with requests or boto3 in the development virtualenv) is missing from a user's
fresh install, where ``import bazary.webhooks.urls`` then fails.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "bazary"
# bazary.testing is for the test suites of bazary and of projects (factory_boy, cbor2 from the dev tools).
TESTING = SRC / "testing"


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    for requirements in project.get("optional-dependencies", {}).values():
        names |= {_name(r) for r in requirements}
    return names


def imported_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for path in SRC.rglob("*.py"):
        if TESTING in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "bazary" and top not in sys.stdlib_module_names:
                    modules.setdefault(top, path)
    return modules


def test_every_imported_distribution_is_declared():
    distributions = packages_distributions()
    names = declared()
    undeclared = {}
    for module, path in imported_modules().items():
        owners = {_name(d) for d in distributions.get(module, [])}
        assert owners, f"{module} (imported by {path.relative_to(ROOT)}) is not installed"
        if not owners & names:
            undeclared[module] = (sorted(owners), str(path.relative_to(ROOT)))
    assert undeclared == {}
