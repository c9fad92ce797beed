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

Every key is declared in SETTINGS (or PROFILE_SETTINGS) with its type: a value of the wrong type
is a ConfigError naming the key and the file (the CLI exits 2), an unknown key a warning
(`Config.warnings`). Adding a key: one row there, then read it from `Config.extra`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from qr.messages import Message, MessageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

APP_NAME = "qr"


SETTINGS: dict[str, str] = {
    "library": "text",
    "ui_lang": "text",
    "agent": "text",
    "shop": "text",
    "default_profile": "text",
    "profiles": "table",
    "learn_asks": "bool",
    "share_usage": "bool",
    "paste": "bool",
    "keymap": "table",
    "max_file_mb": "size",
}
"""Top-level keys of config.toml -> the kind of value each takes ("text", "bool", "table")."""

PROFILE_SETTINGS: dict[str, str] = {
    "shop": "text",
    "agent": "text",
    "libraries": "paths",
    "share_usage": "bool",
    "paste": "bool",
}
"""Keys of a `[profiles.NAME]` table -> their kind ("paths": a folder or a list of folders)."""

UI_LANGUAGES = ("zh", "en")
"""What `ui_lang` may name (a region is allowed: zh-CN, zh_TW); anything else follows the locale."""

_KIND_CHECKS = {
    "text": lambda value: isinstance(value, str),
    "size": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0,
    "bool": lambda value: isinstance(value, bool),
    "table": lambda value: isinstance(value, dict),
    "paths": lambda value: (isinstance(value, str) and bool(value))
    or (isinstance(value, list) and all(isinstance(item, str) and item for item in value)),
}


class ConfigError(MessageError):
    """The config file cannot be used (the CLI exits 2); the message names the file (and key)."""

    ui_lang: str | None = None
    """The file's `ui_lang` when it could be read: the error is shown in that language."""


XDG_DIRS = {"config": ("XDG_CONFIG_HOME", "~/.config"), "data": ("XDG_DATA_HOME", "~/.local/share"), "cache": ("XDG_CACHE_HOME", "~/.cache")}
"""What platformdirs' user_{config,data,cache}_dir read on Linux: the variable, else this folder."""


def _user_dir(kind: str) -> Path | None:
    """platformdirs' `user_<kind>_dir("qr")` on Linux, computed as it does (an absolute
    `$XDG_<KIND>_HOME`, else the folder under an absolute HOME, then `qr`), so that a warm
    `qr search` does not import platformdirs, which brings tempfile, shutil, random, bz2 and lzma
    (~17 modules, ~5 ms). None elsewhere or when HOME is not an absolute path: then platformdirs
    answers (tests/test_fast_start.py compares the two)."""
    if sys.platform != "linux" or "ANDROID_DATA" in os.environ:
        return None
    variable, default = XDG_DIRS[kind]
    base = os.environ.get(variable, "")
    if base.startswith("/"):
        return Path(os.path.join(base, APP_NAME))
    if not os.environ.get("HOME", "").startswith("/"):
        return None
    return Path(os.path.join(os.path.expanduser(default), APP_NAME))


def config_dir() -> Path:
    found = _user_dir("config")
    if found is not None:
        return found
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME))


def data_dir() -> Path:
    found = _user_dir("data")
    if found is not None:
        return found
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def usage_path() -> Path:
    """qr.usage's database; named here so `qr search` can see whether there is one without
    importing qr.usage and sqlite3 (~3 ms)."""
    return data_dir() / "usage.sqlite3"


def cache_dir() -> Path:
    found = _user_dir("cache")
    if found is not None:
        return found
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
    raise ConfigError(Message("config.no_bundled_library"))


class Config:
    """The config file's settings (all defaults when there is no file). Read-only by convention.
    A plain class, as Profile below: every run defines them, and a dataclass costs ~0.6 ms to
    define (a warm `qr search` is ~60 ms)."""

    def __init__(
        self,
        library: Path | None = None,
        ui_lang: str | None = None,
        agent: str = "",
        shop: str = "",
        profiles: Mapping[str, Any] | None = None,
        default_profile: str = "",
        extra: Mapping[str, Any] | None = None,
        path: Path | None = None,
        warnings: tuple[Message, ...] = (),
    ) -> None:
        self.library = library
        self.ui_lang = ui_lang
        self.agent = agent
        self.shop = shop
        self.profiles: Mapping[str, Any] = profiles if profiles is not None else {}
        self.default_profile = default_profile
        self.extra: Mapping[str, Any] = extra if extra is not None else {}
        """The declared settings without a field of their own (learn_asks, paste, keymap…), type-checked."""
        self.path = path
        self.warnings = warnings
        """One per unknown key (the file still loads), for the CLI and the UI to show."""


def load_config(path: Path | None = None) -> Config:
    """The config file's settings (defaults when there is none); raises ConfigError for a file
    that cannot be read or parsed, or a setting of the wrong type."""
    path = path or config_dir() / "config.toml"
    if not path.exists():
        return Config(path=path)
    import tomllib  # only when there is a config file: a warm `qr search` parses no TOML at all

    try:
        text = path.read_text(encoding="utf-8-sig")
        document = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(Message("config.unreadable", file=path, error=error)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(Message("config.invalid_toml", file=path, error=error)) from None
    warnings = []
    for key, value in document.items():
        kind = SETTINGS.get(key)
        if kind is None:
            warnings.append(_unknown_key(path, text, key, SETTINGS))
        elif not _KIND_CHECKS[kind](value):
            wrong = ConfigError(Message(f"config.wrong_{kind}", file=_where(path, text, key), setting=key, value=_shown(value)))
            if isinstance(document.get("ui_lang"), str):
                wrong.ui_lang = document["ui_lang"]
            raise wrong
    ui_lang = document.get("ui_lang")
    if ui_lang and ui_lang.strip().lower().replace("_", "-").split("-")[0] not in UI_LANGUAGES:
        warnings.append(Message("config.unknown_ui_lang", file=_where(path, text, "ui_lang"), value=ui_lang, known=", ".join(UI_LANGUAGES)))
    for name, profile in document.get("profiles", {}).items():
        if isinstance(profile, dict):  # not a table: profiles_of says so when profiles are used
            warnings.extend(_unknown_key(path, text, key, PROFILE_SETTINGS, f"profiles.{name}") for key in profile if key not in PROFILE_SETTINGS)
    library = document.get("library")
    fields = {"library", "ui_lang", "agent", "shop", "profiles", "default_profile"}
    return Config(
        library=_expand(library, path.parent) if library else None,
        ui_lang=document.get("ui_lang") or None,
        agent=document.get("agent", ""),
        shop=document.get("shop", ""),
        profiles=document.get("profiles", {}),
        default_profile=document.get("default_profile", ""),
        extra={key: value for key, value in document.items() if key in SETTINGS and key not in fields},
        path=path,
        warnings=tuple(warnings),
    )


def _where(path: Path, text: str, key: str, table: str = "") -> str:
    """`file:line` of `key =` (inside `[table]` when given), or the file alone when not found."""
    import re

    inside = not table
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[([^\[\]]+)\]", line)
        if header:
            inside = bool(table) and header.group(1).replace(" ", "").replace('"', "") == table
        elif inside and re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
            return f"{path}:{number}"
    return str(path)


def _shown(value: object) -> str:
    """A wrong value as the message quotes it: short, one line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _unknown_key(path: Path, text: str, key: str, known: Mapping[str, str], table: str = "") -> Message:
    from difflib import get_close_matches

    close = get_close_matches(key, list(known), n=1)
    where = _where(path, text, key, table)
    if close:
        return Message("config.unknown_key_close", file=where, setting=key, close=close[0])
    return Message("config.unknown_key", file=where, setting=key, known=", ".join(known))


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


class Profile:
    """One shop an agent serves (`[profiles.NAME]`): its names and its libraries, own first."""

    def __init__(self, name: str, shop: str = "", agent: str = "", libraries: tuple[Path, ...] = ()) -> None:
        self.name = name
        self.shop = shop
        self.agent = agent
        self.libraries = libraries
        """Library folders in resolution order: the shop's own first, then shared ones."""


def profiles_of(config: Config) -> dict[str, Profile]:
    """The config's profiles, checked; a malformed one is a ConfigError naming the file and profile."""
    where = config.path or "config.toml"
    base = config.path.parent if config.path else Path.cwd()
    profiles: dict[str, Profile] = {}
    for name, raw in config.profiles.items():
        if not isinstance(raw, dict):
            raise ConfigError(Message("config.profile_not_table", file=where, profile=name))
        for key, value in raw.items():
            kind = PROFILE_SETTINGS.get(key)
            if kind is not None and not _KIND_CHECKS[kind](value):
                raise ConfigError(Message(f"config.profile_wrong_{kind}", file=where, profile=name, setting=key, value=_shown(value)))
        libraries = raw.get("libraries", [])
        if isinstance(libraries, str):
            libraries = [libraries]
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
        name, message_id = option, "config.unknown_profile"
    elif config.default_profile and not library_option and not os.environ.get("QR_LIBRARY"):
        name, message_id = config.default_profile, "config.unknown_default_profile"
    else:
        return None
    if name in profiles:
        return profiles[name]
    file = config.path or "config.toml"
    if not profiles:
        raise ConfigError(Message(f"{message_id}_none", file=file, name=name))
    raise ConfigError(Message(message_id, file=file, name=name, known=", ".join(sorted(profiles))))


def resolve_libraries(option: str | None, config: Config, profile: Profile | None) -> list[Path]:
    """The library folders of a run, in resolution order. `--library` replaces a profile's
    libraries (the profile still names the shop and agent); a profile without libraries falls
    back to the single-library rules."""
    if option or not (profile and profile.libraries):
        return [resolve_library(option, config)]
    return list(profile.libraries)
