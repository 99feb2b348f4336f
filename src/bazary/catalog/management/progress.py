"""A dependency-free progress bar for the catalog's commands."""

from __future__ import annotations

from typing import TextIO

from django.core.management.base import OutputWrapper


class ProgressBar:
    """``[#######.............]  350/1000 products`` redrawn in place."""

    def __init__(self, stream: TextIO | OutputWrapper, total: int, label: str, width: int = 30) -> None:
        self.stream, self.total, self.label, self.width = stream, total, label, width
        self.done = 0
        self._drawn = -1

    def _write(self, text: str) -> None:
        # Django's OutputWrapper appends a newline unless told otherwise.
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()

    def advance(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        filled = self.width * self.done // self.total if self.total else self.width
        percent = 100 * self.done // self.total if self.total else 100
        if percent == self._drawn and self.done < self.total:
            return  # redraw once per percent: a million rows are a hundred redraws
        self._drawn = percent
        bar = "#" * filled + "." * (self.width - filled)
        self._write(f"\r[{bar}] {self.done:>{len(str(self.total))}}/{self.total} {self.label}")

    def finish(self) -> None:
        if self.done < self.total:
            self.advance(self.total - self.done)
        self._write("\n")
