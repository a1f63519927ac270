"""A one-line progress bar with rows per second, drawn on stderr only when it is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 24
REDRAW_SECONDS = 0.1


class Progress:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label = ""
        self.total = 0
        self.done = 0
        self.rows = 0
        self.started = self._drawn = time.monotonic()

    def start(self, label: str, total: int) -> None:
        """A new file of `total` bytes (0 when unknown)."""
        self.label, self.total, self.done, self.rows = label, total, 0, 0
        self.started = time.monotonic()
        self._draw(force=True)

    def read(self, chars: int) -> None:
        self.done += chars

    def add_rows(self, count: int) -> None:
        self.rows += count
        self._draw()

    def finish(self) -> None:
        if self.enabled:
            self.done = self.total
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._drawn < REDRAW_SECONDS):
            return
        self._drawn = now
        rate = self.rows / max(now - self.started, 1e-6)
        counter = f"{self.rows:>10,} rows {rate:>10,.0f} rows/s"
        if not self.total:  # generated rows: no end known
            self.stream.write(f"\r{self.label:<14} {counter}")
        else:
            share = min(1.0, self.done / self.total)
            filled = int(share * WIDTH)
            bar = "#" * filled + "-" * (WIDTH - filled)
            self.stream.write(f"\r{self.label:<14} [{bar}] {share:4.0%} {counter}")
        self.stream.flush()
