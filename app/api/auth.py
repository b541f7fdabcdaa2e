"""API keys: who may read, write or administer which collection.

The keys file (``GROUNDWORK_API_KEYS_FILE``) has exactly this shape::

    {"keys": [{"key": "<secret>", "name": "team-a", "read": ["company"],
               "write": ["company"], "admin": false,
               "ingest_paths": ["shared/policies"]}]}

``ingest_paths`` (optional) names folders under ``GROUNDWORK_INGEST_ROOT`` that the key's
folder jobs may read, beside ``<root>/<collection>/`` of a collection it may write; an
admin key may read anywhere under the root (see ``app/api/folder_access.py``).

Keys are compared in constant time and never logged; only a key's ``name`` is.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from retrieval.errors import ConfigurationError


class KeyEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: SecretStr
    name: str = Field(min_length=1, max_length=100)
    read: list[str] = Field(default_factory=list)
    write: list[str] = Field(default_factory=list)
    admin: bool = False
    ingest_paths: list[str] = Field(default_factory=list)

    @field_validator("ingest_paths")
    @classmethod
    def _relative_paths(cls, value: list[str]) -> list[str]:
        for p in value:
            if not p or "\x00" in p or Path(p).is_absolute() or ".." in Path(p).parts:
                raise ValueError(f"ingest_paths must be folders under the ingest root, got {p!r}")
        return value

    @field_validator("key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("a key must be at least 16 characters long")
        return value


class KeysFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keys: list[KeyEntry]


@dataclass(frozen=True)
class Principal:
    """The caller of a request: a named key, or ``local`` when no keys are configured."""

    name: str
    read: frozenset[str]
    write: frozenset[str]
    admin: bool
    ingest_paths: tuple[str, ...] = ()

    def can_read(self, collection: str) -> bool:
        return self.admin or collection in self.read

    def can_write(self, collection: str) -> bool:
        return self.admin or collection in self.write

    def readable(self, collections: list[str]) -> list[str]:
        return [c for c in collections if self.can_read(c)]


LOCAL = Principal("local", frozenset(), frozenset(), admin=True)


class KeyRing:
    def __init__(self, entries: list[KeyEntry]) -> None:
        names = [e.name for e in entries]
        if len(set(names)) != len(names):
            raise ConfigurationError("API key names must be unique")
        secrets = [e.key.get_secret_value() for e in entries]
        if len(set(secrets)) != len(secrets):
            raise ConfigurationError("two API keys have the same secret")
        self._entries = [(e.key.get_secret_value().encode(), e) for e in entries]

    @classmethod
    def load(cls, path: Path | None) -> KeyRing:
        if path is None:
            return cls([])
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(KeysFile.model_validate(data).keys)
        except (OSError, ValueError, ValidationError) as exc:
            # the message never quotes a key: pydantic hides SecretStr values
            raise ConfigurationError(f"cannot read the API keys file {path}: {exc}") from None

    @property
    def enabled(self) -> bool:
        return bool(self._entries)

    def authenticate(self, presented: str) -> Principal | None:
        """The key's principal, or None. Every key is compared, in constant time."""
        given = presented.encode()
        found = None
        for secret, entry in self._entries:
            if hmac.compare_digest(secret, given) and found is None:
                found = entry
        if found is None:
            return None
        return Principal(
            found.name,
            frozenset(found.read),
            frozenset(found.write),
            found.admin,
            tuple(found.ingest_paths),
        )
