from io import StringIO

from django.core.management import call_command


def test_migrations_are_complete(db):
    out = StringIO()
    # Exits non-zero (SystemExit) if any app's models lack a migration.
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
