"""Progress on long loads, only when a person is watching (stderr is a terminal)."""

from __future__ import annotations

import sys
from pathlib import Path


class Progress:
    """One bar over the files of an ingest, with the current step of the current file."""

    def __init__(self, total: int):
        self.total = total
        self._bar = None
        self._task = None

    def __enter__(self) -> "Progress":
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

            self._bar = RichProgress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("ingest", total=self.total)
        return self

    def step(self, path: Path, step: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=f"{path.name}: {step}")

    def done(self, path: Path) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
