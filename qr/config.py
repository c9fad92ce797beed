"""The user's config file and where the library comes from (no Textual here).

`platformdirs.user_config_dir("qr")/config.toml`:

    library = "~/qr-phrases"      # default library folder
    ui_lang = "zh"                # "zh" or "en"; default follows the locale
    agent = "小王"                 # {agent}
    shop = "示例旗舰店"             # {shop}, overrides _library.toml
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Mapping

APP_NAME = "qr"


class ConfigError(Exception):
    """The config file cannot be used; the message names the file and line."""


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME))


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME))


def bundled_library() -> Path:
    """The default library shipped inside the package (also in a non-editable install)."""
    spec = find_spec("qr.phrases")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the bundled library is missing from this installation of qr")
    return Path(list(spec.submodule_search_locations)[0])


@dataclass(frozen=True)
class Config:
    library: Path | None = None
    ui_lang: str | None = None
    agent: str = ""
    shop: str = ""
    profiles: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None


def load_config(path: Path | None = None) -> Config:
    path = path or config_dir() / "config.toml"
    if not path.exists():
        return Config(path=path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    library = document.get("library")
    ui_lang = document.get("ui_lang")
    return Config(
        library=_expand(library, path.parent) if isinstance(library, str) and library else None,
        ui_lang=ui_lang if isinstance(ui_lang, str) else None,
        agent=str(document.get("agent", "")),
        shop=str(document.get("shop", "")),
        profiles=document.get("profiles", {}) if isinstance(document.get("profiles"), dict) else {},
        extra={k: v for k, v in document.items() if k not in {"library", "ui_lang", "agent", "shop", "profiles"}},
        path=path,
    )


def _expand(value: str, base: Path) -> Path:
    path = Path(os.path.expandvars(value)).expanduser()
    return path if path.is_absolute() else (base / path)


def resolve_library(option: str | None, config: Config) -> Path:
    """`--library`, else `$QR_LIBRARY`, else the config file's `library`, else the bundled library."""
    if option:
        return Path(option).expanduser()
    if os.environ.get("QR_LIBRARY"):
        return Path(os.environ["QR_LIBRARY"]).expanduser()
    if config.library is not None:
        return config.library
    return bundled_library()
