#!/usr/bin/env python
"""manage.py for the test projects: ``python tests/manage.py makemigrations``.

Uses ``tests.projects.full.settings`` unless ``DJANGO_SETTINGS_MODULE`` says otherwise.
"""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.projects.full.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
