"""Sphinx configuration: Markdown pages (MyST), the furo theme, warnings as errors in CI."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import bazary  # noqa: E402

project = "bazary"
author = "The bazary developers"
copyright = "2026, The bazary developers"  # noqa: A001
release = version = bazary.__version__

extensions = ["myst_parser"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = f"bazary {release}"
suppress_warnings = ["myst.xref_missing"]
