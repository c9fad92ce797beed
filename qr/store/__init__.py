"""The phrase library: models, TOML load/validate/save and lint. Knows nothing of Textual."""

from __future__ import annotations

from importlib import import_module

# Names are looked up on first use (PEP 562): `import qr.store.models` runs this file, and a warm
# `qr search` must not pay for the loader, the saver (tomli_w, tempfile) or hashlib.
_HOMES = {
    "Entry": "entry",
    "Hit": "entry",
    "entries_of": "entry",
    "load_group": "load",
    "load_library": "load",
    "FileStamp": "models",
    "Group": "models",
    "Library": "models",
    "LoadResult": "models",
    "Phrase": "models",
    "Problem": "models",
    "RuleConfig": "models",
    "VarSpec": "models",
    "normalise_code": "models",
    "ConflictError": "save",
    "SaveError": "save",
    "save_group": "save",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'qr.store' has no attribute {name!r}")
    value = getattr(import_module(f"qr.store.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
