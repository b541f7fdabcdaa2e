"""What every parser process does first: die with its parent, and cap its memory.

A parser reads untrusted files. Its address space is capped (``RLIMIT_AS``,
``GROUNDWORK_PARSER_MEMORY_MB``), so a file that needs too much memory fails alone instead
of taking the machine's memory; and it ends when the process that started the pool
ends, so no parser outlives a killed CLI or API. Parsers are forked by multiprocessing's
fork server, not by that process, so two things are needed: the kernel kills a parser
whose parent (the fork server) dies (``PR_SET_PDEATHSIG`` on Linux), and a watchdog thread
ends it when the pool's owner is gone (the fork server itself lives on while any parser
holds its pipe, so it cannot be relied on to die first).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

from retrieval.processes import pid_alive

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """Ask the kernel for SIGKILL when the parent process ends (Linux); True if set."""
    if not sys.platform.startswith("linux"):
        return False
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    return True


def cap_memory(memory_mb: int | None) -> None:
    """Limit this process's address space to ``memory_mb`` (no limit for None or 0)."""
    if not memory_mb:
        return
    import resource

    limit = int(memory_mb) * 2**20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def near_memory_cap(share: float = 0.8) -> bool:
    """Whether this process has used ``share`` of its capped address space at its peak
    (Linux): a C extension that fails to allocate may raise anything, not MemoryError."""
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return False
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            peak = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmPeak:"))
    except (OSError, StopIteration, ValueError):
        return False
    return peak >= share * soft


def watch_owner(owner_pid: int, every_s: float = 1.0) -> threading.Thread:
    """A daemon thread that ends this process as soon as ``owner_pid`` is gone."""

    def watch() -> None:
        while pid_alive(owner_pid):
            time.sleep(every_s)
        os._exit(1)

    thread = threading.Thread(target=watch, name="groundwork-owner-watch", daemon=True)
    thread.start()
    return thread


def enter_sandbox(memory_mb: int | None, owner_pid: int | None = None) -> None:
    """The initializer of every parser process."""
    die_with_parent()
    if owner_pid is not None:
        watch_owner(owner_pid)
    cap_memory(memory_mb)
