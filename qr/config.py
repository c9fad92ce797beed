"""The user's config file and where the library comes from (no Textual here).

`platformdirs.user_config_dir("qr")/config.toml`:

    library = "~/qr-phrases"      # default library folder
    ui_lang = "zh"                # "zh" or "en"; default follows the locale
    agent = "小王"                 # {agent}
    shop = "示例旗舰店"             # {shop}, overrides _library.toml
    default_profile = "shopA"     # used when neither --profile nor --library/$QR_LIBRARY is given

    [profiles.shopA]              # one agent, several shops: one profile per shop
    shop = "A店旗舰店"             # {shop} for this profile (before `shop` above and _library.toml)
    agent = "小王"                 # {agent} for this profile
    libraries = ["~/shopA", "~/common"]   # codes resolve in this order: the shop's own, then shared
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

APP_NAME = "qr"


class ConfigError(Exception):
    """The config file cannot be used; the message names the file and line."""


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME))


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def usage_path() -> Path:
    """qr.usage's database; named here so `qr search` can see whether there is one without
    importing qr.usage and sqlite3 (~3 ms)."""
    return data_dir() / "usage.sqlite3"


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME))


def bundled_library() -> Path:
    """The default library shipped inside the package (also in a non-editable install)."""
    from importlib.util import find_spec  # only here: importlib.util pulls in contextlib and more

    spec = find_spec("qr.phrases")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    # running from a source checkout (`phrases/` beside the package) rather than an installed copy
    source_tree = Path(__file__).resolve().parent.parent / "phrases"
    if (source_tree / "_library.toml").is_file():
        return source_tree
    raise ConfigError("the bundled library is missing from this installation of qr")


@dataclass(frozen=True)
class Config:
    """The config file's settings (all defaults when there is no file)."""

    library: Path | None = None
    ui_lang: str | None = None
    agent: str = ""
    shop: str = ""
    profiles: Mapping[str, Any] = field(default_factory=dict)
    default_profile: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None


def load_config(path: Path | None = None) -> Config:
    path = path or config_dir() / "config.toml"
    if not path.exists():
        return Config(path=path)
    import tomllib  # only when there is a config file: a warm `qr search` parses no TOML at all

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
        default_profile=str(document.get("default_profile", "")),
        extra={k: v for k, v in document.items() if k not in {"library", "ui_lang", "agent", "shop", "profiles", "default_profile"}},
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


@dataclass(frozen=True)
class Profile:
    """One shop an agent serves (`[profiles.NAME]`): its names and its libraries, own first."""

    name: str
    shop: str = ""
    agent: str = ""
    libraries: tuple[Path, ...] = ()
    """Library folders in resolution order: the shop's own first, then shared ones."""


def profiles_of(config: Config) -> dict[str, Profile]:
    """The config's profiles, checked; a malformed one is a ConfigError naming the file and profile."""
    where = config.path or "config.toml"
    base = config.path.parent if config.path else Path.cwd()
    profiles: dict[str, Profile] = {}
    for name, raw in config.profiles.items():
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: [profiles.{name}] must be a table with shop, agent and libraries")
        libraries = raw.get("libraries", [])
        if isinstance(libraries, str):
            libraries = [libraries]
        if not isinstance(libraries, list) or not all(isinstance(item, str) and item for item in libraries):
            raise ConfigError(f"{where}: [profiles.{name}] libraries must be a list of folder paths")
        for key in ("shop", "agent"):
            if key in raw and not isinstance(raw[key], str):
                raise ConfigError(f"{where}: [profiles.{name}] {key} must be a string")
        profiles[name] = Profile(
            name=name,
            shop=raw.get("shop", ""),
            agent=raw.get("agent", ""),
            libraries=tuple(dict.fromkeys(_expand(item, base) for item in libraries)),
        )
    return profiles


def select_profile(option: str | None, config: Config, *, library_option: str | None = None) -> Profile | None:
    """`--profile NAME`, else the config's `default_profile` unless a library was named explicitly
    (`--library` or `$QR_LIBRARY`: the user asked for that folder, not for a shop), else none."""
    profiles = profiles_of(config)
    if option:
        name, what = option, "unknown profile"
    elif config.default_profile and not library_option and not os.environ.get("QR_LIBRARY"):
        name, what = config.default_profile, f"default_profile in {config.path}: unknown profile"
    else:
        return None
    if name in profiles:
        return profiles[name]
    known = ", ".join(sorted(profiles)) if profiles else f"none ({config.path or 'the config file'} has no [profiles.NAME])"
    raise ConfigError(f"{what} {name!r}; known profiles: {known}")


def resolve_libraries(option: str | None, config: Config, profile: Profile | None) -> list[Path]:
    """The library folders of a run, in resolution order. `--library` replaces a profile's
    libraries (the profile still names the shop and agent); a profile without libraries falls
    back to the single-library rules."""
    if option or not (profile and profile.libraries):
        return [resolve_library(option, config)]
    return list(profile.libraries)
