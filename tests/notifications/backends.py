"""Email backends that fail on purpose, to test retries."""

from __future__ import annotations

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """Fails the first ``failures`` messages (class-wide), then delivers to ``mail.outbox``."""

    failures = 2
    calls = 0

    def send_messages(self, messages):
        for _message in messages:
            FlakyBackend.calls += 1
            if FlakyBackend.calls <= FlakyBackend.failures:
                raise ConnectionError("SMTP server said no")
        return super().send_messages(messages)


class BrokenBackend(EmailBackend):
    """Never delivers anything."""

    def send_messages(self, messages):
        raise ConnectionError("SMTP server is down")


class BrokenOpenBackend(EmailBackend):
    """Cannot even connect."""

    def open(self):
        raise OSError("connection refused")
