"""One loader per file format, looked up by file extension.

Adding a format means adding one module with a ``Loader`` subclass decorated with
``@register_loader``, and importing it here.
"""

from ingest.loaders import (  # noqa: F401  (registration)
    delimited,
    docx,
    email,
    epub,
    html,
    image,
    markdown,
    opendocument,
    outlook,
    pdf,
    pptx,
    rtf,
    spreadsheet,
    structured,
    text,
)
from ingest.loaders.base import (
    LoadedDocument,
    Loader,
    LoadError,
    Section,
    check_upload,
    loader_for,
    reading_config,
    register_loader,
    supported_extensions,
    unsupported_reason,
)

__all__ = [
    "LoadError",
    "LoadedDocument",
    "Loader",
    "Section",
    "check_upload",
    "loader_for",
    "reading_config",
    "register_loader",
    "supported_extensions",
    "unsupported_reason",
]
