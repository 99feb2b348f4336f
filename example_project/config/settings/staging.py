"""Staging: production settings, with the option of debug logs."""

from .production import *  # noqa: F403
