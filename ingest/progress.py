"""Progress reporting for ingestion: a small protocol and a rich progress bar."""

from __future__ import annotations

import time
from typing import Protocol


class IngestProgress(Protocol):
    def start(self, total_files: int) -> None: ...

    def advance(self, files: int, chunks: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def start(self, total_files: int) -> None:
        pass

    def advance(self, files: int, chunks: int) -> None:
        pass

    def finish(self) -> None:
        pass


class RichProgress:
    """A progress bar with files/s, chunks/s and an ETA (to stderr, so --json stays clean)."""

    def __init__(self, description: str = "Ingesting") -> None:
        self.description = description
        self._progress = None
        self._task = None
        self._chunks = 0
        self._t0 = 0.0

    def start(self, total_files: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._t0 = time.perf_counter()
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TextColumn("{task.fields[rates]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.description, total=total_files, rates="")

    def advance(self, files: int, chunks: int) -> None:
        if self._progress is None:
            return
        self._chunks += chunks
        elapsed = max(time.perf_counter() - self._t0, 1e-6)
        done = self._progress.tasks[0].completed + files
        rates = f"{done / elapsed:.1f} files/s {self._chunks / elapsed:.0f} chunks/s"
        self._progress.update(self._task, advance=files, rates=rates)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
