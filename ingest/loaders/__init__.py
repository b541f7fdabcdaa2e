"""One loader per file format, looked up by file extension.

Adding a format means adding one module with a ``Loader`` subclass decorated with
``@register_loader``, and importing it here.
"""

from ingest.loaders import docx, html, markdown, pdf, text  # noqa: F401  (registration)
from ingest.loaders.base import (
    LoadedDocument,
    Loader,
    LoadError,
    Section,
    check_upload,
    loader_for,
    register_loader,
    supported_extensions,
)

__all__ = [
    "LoadError",
    "LoadedDocument",
    "Loader",
    "Section",
    "check_upload",
    "loader_for",
    "register_loader",
    "supported_extensions",
]
