"""bazary's modules that users import from settings or urls load before setup."""

import subprocess
import sys

import pytest

MODULES = [
    "bazary",
    "bazary.core.conf",
    "bazary.core.network",
    "bazary.core.tasks",
    "bazary.core.apps",
    "bazary.catalog.apps",
    "bazary.accounts.apps",
    "bazary.notifications.apps",
]


@pytest.mark.parametrize("module", MODULES)
def test_import_before_django_setup(module):
    # A fresh interpreter with no settings configured: importing must not touch
    # settings or the app registry.
    code = f"import {module}"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": ""})
    assert result.returncode == 0, result.stderr
