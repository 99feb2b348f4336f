"""Settings per environment: base (shared, from the environment), development,
testing, staging and production. Pick one with DJANGO_SETTINGS_MODULE."""
