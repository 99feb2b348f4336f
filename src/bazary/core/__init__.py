"""Shared foundations of the bazary apps: settings, checks, API base classes."""
