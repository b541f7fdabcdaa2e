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

    def __init__(
        self, description: str = "Ingesting", log_every_s: float = 10.0, console=None
    ) -> None:
        self.description = description
        self.log_every_s = log_every_s
        self._progress = None
        self._task = None
        self._chunks = 0
        self._files = 0
        self._total = 0
        self._t0 = 0.0
        self._last_log = 0.0
        self._console = console

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
        self._total = total_files
        self._console = self._console or Console(stderr=True)
        if not self._console.is_terminal:  # a log file: plain lines, every few seconds
            self._last_log = self._t0
            self._console.print(f"{self.description}: {total_files} files to process")
            return
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TextColumn("{task.fields[rates]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self._console,
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.description, total=total_files, rates="")

    def advance(self, files: int, chunks: int) -> None:
        self._chunks += chunks
        self._files += files
        now = time.perf_counter()
        elapsed = max(now - self._t0, 1e-6)
        rates = f"{self._files / elapsed:.1f} files/s {self._chunks / elapsed:.0f} chunks/s"
        if self._progress is not None:
            self._progress.update(self._task, advance=files, rates=rates)
        elif self._console is not None and now - self._last_log >= self.log_every_s:
            self._last_log = now
            left = self._total - self._files
            eta = left / (self._files / elapsed) if self._files else float("nan")
            self._console.print(
                f"{self.description}: {self._files}/{self._total} files, {rates}, ETA {eta:.0f} s"
            )

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        elif self._console is not None and self._total:
            elapsed = max(time.perf_counter() - self._t0, 1e-6)
            self._console.print(
                f"{self.description}: {self._files}/{self._total} files in {elapsed:.1f} s"
            )
