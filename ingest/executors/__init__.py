"""Stage 2, process: parse, chunk and embed the planned files.

An executor is the part of ingestion that could run elsewhere; planning and writing stay
in the driver. ``local.LocalExecutor`` uses worker processes on this machine.
"""

from ingest.executors.base import Executor, Processed, ProcessedBatch
from ingest.executors.local import LocalExecutor

__all__ = ["Executor", "LocalExecutor", "Processed", "ProcessedBatch"]
