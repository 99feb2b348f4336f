"""When to try a failed delivery again: one schedule for every app that delivers."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta


def retry_delay(attempts: int, delays: Sequence[float], *, jitter: float = 0.0) -> timedelta:
    """The wait after the ``attempts``-th failed attempt.

    ``delays[attempts - 1]`` seconds; past the end of ``delays`` each further
    wait doubles the last one (exponential backoff). ``jitter`` (0..1) spreads
    the wait at random by up to that fraction either way, so receivers that
    failed together are not all retried in the same second.
    """
    if not delays:
        return timedelta(0)
    index = max(attempts - 1, 0)
    seconds = float(delays[index]) if index < len(delays) else float(delays[-1]) * 2 ** (index - len(delays) + 1)
    if jitter:
        seconds *= 1 + random.uniform(-jitter, jitter)  # noqa: S311  (not for security)
    return timedelta(seconds=max(seconds, 0.0))
