"""Loaders, structure-aware chunking and idempotent batch ingestion."""
