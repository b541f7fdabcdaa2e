"""Errors a user can act on. The CLI and API turn them into messages at the edge."""

from collections.abc import Iterator


class GroundworkError(Exception):
    """A problem the user can fix; the message is shown to them as it is."""


class ConfigurationError(GroundworkError):
    """The settings or the stored data do not fit together (wrong model, bad URL...)."""


class EmbeddingMismatchError(ConfigurationError):
    """A collection was built with another embedding model than the one configured."""


class CollectionNotFoundError(GroundworkError):
    """The named collection does not exist."""


class InvalidCollectionNameError(GroundworkError):
    """A collection name that Chroma or the file system cannot hold."""


class ProviderUnavailableError(GroundworkError):
    """The answer model or the store cannot be reached right now."""


class StorageFullError(GroundworkError):
    """The disk that holds Groundwork's data is full (or over quota)."""


def causes(exc: BaseException | None) -> Iterator[BaseException]:
    """``exc`` and what caused it, outermost first (each once, even in a cycle)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def storage_full(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) is a full disk: ENOSPC, EDQUOT, or SQLite's
    "database or disk is full"."""
    import errno

    for e in causes(exc):
        if isinstance(e, StorageFullError):
            return True
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "database or disk is full" in str(e) or "No space left on device" in str(e):
            return True
    return False


class StoreUnavailableError(ProviderUnavailableError):
    """The Chroma server cannot be reached (it is down, or the URL is wrong)."""


def outage_reason(exc: BaseException | None) -> str | None:
    """A reason when ``exc`` (or what caused it) means a service we call (the Chroma
    server, a model server) cannot be reached; None for any other error."""
    import httpx

    for e in causes(exc):
        if isinstance(e, httpx.TransportError | ConnectionError | TimeoutError):
            return f"{type(e).__name__}: {e}"
        text = str(e)
        if "Could not connect to" in text or "Connection refused" in text:
            return text
    return None
