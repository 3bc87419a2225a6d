"""Effective settings: defaults < TOML file < GLOBEWIRE_* environment < command-line flags.

The TOML file is ``$GLOBEWIRE_CONFIG`` if set, else ``globewire.toml`` in the user
config dir. Nested sections map to tables (``[fetch]``) and to env vars with a
double underscore (``GLOBEWIRE_FETCH__MIN_HOST_DELAY=2``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from globewire.config.extract import ExtractSettings
from globewire.config.fetch import FetchSettings
from globewire.config.scale import ScaleSettings
from globewire.config.stories import StorySettings
from globewire.config.translate import TranslateSettings
from globewire.config.web import WebSettings

APP = "globewire"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP))


def default_config_file() -> Path:
    env = os.environ.get("GLOBEWIRE_CONFIG")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP)) / "globewire.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GLOBEWIRE_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    data_dir: Path = Field(default_factory=default_data_dir, description="Where globewire keeps its data.")
    database_url: str = Field(
        "", description="Store URL: sqlite:///path.db (default: <data_dir>/globewire.db) or postgresql://..."
    )
    sources_file: Path | None = Field(
        None, description="User catalogue TOML (adds, disables or overrides outlets); default <data_dir>/sources.toml."
    )
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")
    log_format: str = Field("console", description="Log format: console or json.")
    workers: int = Field(
        default_factory=lambda: max(1, min(os.cpu_count() or 1, 8)),
        description="Processes for CPU-heavy stages (extraction); 1 keeps everything in one process.",
    )
    crawl_interval_minutes: float = Field(30.0, description="Minutes between crawl rounds in `globewire run`.")

    fetch: FetchSettings = Field(default_factory=FetchSettings)
    extract: ExtractSettings = Field(default_factory=ExtractSettings)
    translate: TranslateSettings = Field(default_factory=TranslateSettings)
    stories: StorySettings = Field(default_factory=StorySettings)
    web: WebSettings = Field(default_factory=WebSettings)
    scale: ScaleSettings = Field(default_factory=ScaleSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=default_config_file())
        return (init_settings, env_settings, toml)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'globewire.db'}"


def load_settings(**overrides: Any) -> Settings:
    """Build the effective settings; ``overrides`` (e.g. from CLI flags) win over everything."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def describe(model: type[Any] = Settings, prefix: str = "") -> list[tuple[str, str, str]]:
    """(dotted name, env var, help) for every setting, for `globewire config --help-settings`."""
    rows: list[tuple[str, str, str]] = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and hasattr(ann, "model_fields"):
            rows.extend(describe(ann, f"{prefix}{name}."))
            continue
        dotted = f"{prefix}{name}"
        env = "GLOBEWIRE_" + dotted.replace(".", "__").upper()
        rows.append((dotted, env, info.description or ""))
    return rows
