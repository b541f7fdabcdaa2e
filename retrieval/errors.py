"""Errors a user can act on. The CLI and API turn them into messages at the edge."""


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


def storage_full(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) is a full disk: ENOSPC, EDQUOT, or SQLite's
    "database or disk is full"."""
    import errno

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, StorageFullError):
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "database or disk is full" in str(exc) or "No space left on device" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class StoreUnavailableError(ProviderUnavailableError):
    """The Chroma server cannot be reached (it is down, or the URL is wrong)."""


def outage_reason(exc: BaseException | None) -> str | None:
    """A reason when ``exc`` (or what caused it) means a service we call (the Chroma
    server, a model server) cannot be reached; None for any other error."""
    import httpx

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
            return f"{type(exc).__name__}: {exc}"
        text = str(exc)
        if "Could not connect to" in text or "Connection refused" in text:
            return text
        exc = exc.__cause__ or exc.__context__
    return None
