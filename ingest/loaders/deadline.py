"""The per-file time limit of a parser, and the extra time OCR may claim per page.

``time_limit`` arms an interval timer in the parser's main thread; a file that runs past
it fails alone with ``ParseTimeout``. OCR reads a page in seconds, so a loader about to
OCR a page calls ``allow_more`` with the time one page needs: the limit grows with the
page count, up to ``cap_s`` (by default ten times the base limit).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ingest.loaders.base import LoadError


class ParseTimeout(LoadError):
    pass


_state = threading.local()


@contextmanager
def time_limit(seconds: float, cap_s: float | None = None) -> Iterator[None]:
    """Raise ``ParseTimeout`` in the main thread after ``seconds`` (a no-op elsewhere)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    cap = max(seconds, cap_s if cap_s is not None else 10 * seconds)

    def on_alarm(signum, frame):
        raise ParseTimeout(f"parsing took longer than the {_state.limit:g} s limit")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    _state.started, _state.limit, _state.cap = time.monotonic(), seconds, cap
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _state.limit = None


def allow_more(seconds: float) -> None:
    """Extend the running limit by ``seconds``, up to its cap (a no-op without a limit)."""
    if getattr(_state, "limit", None) is None:
        return
    if threading.current_thread() is not threading.main_thread():
        return
    _state.limit = min(_state.limit + seconds, _state.cap)
    left = _state.started + _state.limit - time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
