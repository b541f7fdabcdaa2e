"""Store, hybrid search, grounding, answer providers and citation checking.

This package imports nothing from ``app``, ``ingest`` or ``ui``.
"""
