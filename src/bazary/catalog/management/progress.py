"""A dependency-free progress bar for the catalog's commands."""

from __future__ import annotations

from typing import TextIO

from django.core.management.base import OutputWrapper


class ProgressBar:
    """``[#######.............]  350/1000 products`` redrawn in place on a
    terminal. When the output is not a terminal (a log file, a CI job, a
    pipe), it prints a plain line every ``line_every`` percent instead
    (``350/1000 products (35%)``), with no carriage returns to garble it."""

    def __init__(
        self, stream: TextIO | OutputWrapper, total: int, label: str, width: int = 30, line_every: int = 10
    ) -> None:
        self.stream, self.total, self.label, self.width = stream, total, label, width
        self.line_every = max(line_every, 1)
        self.done = 0
        self._drawn = -1
        isatty = getattr(stream, "isatty", None)
        self.interactive = bool(isatty and isatty())

    def _write(self, text: str) -> None:
        # Django's OutputWrapper appends a newline unless told otherwise.
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()

    def advance(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        percent = 100 * self.done // self.total if self.total else 100
        count = f"{self.done:>{len(str(self.total))}}/{self.total} {self.label}"
        if not self.interactive:
            step = percent // self.line_every
            if step == self._drawn or (self.done < self.total and step == 0):
                return
            self._drawn = step
            self._write(f"{count} ({percent}%)\n")
            return
        if percent == self._drawn and self.done < self.total:
            return  # redraw once per percent: a million rows are a hundred redraws
        self._drawn = percent
        filled = self.width * self.done // self.total if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self._write(f"\r[{bar}] {count}")

    def finish(self) -> None:
        if self.done < self.total or self._drawn < 0:
            self.advance(self.total - self.done)
        if self.interactive:
            self._write("\n")
