"""An email backend that holds every message until the test lets it go (see test_mail_timing)."""

import threading

from django.core.mail.backends.locmem import EmailBackend

#: Set by the test once the HTTP response has arrived.
release = threading.Event()
#: One entry per send: whether the response had arrived when the backend was called.
calls: list[bool] = []


class BlockingEmailBackend(EmailBackend):
    def send_messages(self, messages):
        # A mail sent inside the request would hold the response up to this timeout.
        released = release.wait(timeout=10)
        calls.append(released)
        return super().send_messages(messages)
