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
