"""The UI's own settings (prefix ``GROUNDWORK_UI_``): where the API is and which key to use."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class UISettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GROUNDWORK_UI_", extra="ignore")

    api_url: str = "http://127.0.0.1:8000"
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=120.0, gt=0)
    default_top_k: int = Field(default=5, ge=1, le=50)
