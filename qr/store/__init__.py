"""The phrase library: models, TOML load/validate/save and lint. Knows nothing of Textual."""

from qr.store.load import load_group, load_library
from qr.store.models import (
    FileStamp,
    Group,
    Library,
    LoadResult,
    Phrase,
    Problem,
    RuleConfig,
    VarSpec,
    normalise_code,
)
from qr.store.save import ConflictError, SaveError, save_group

__all__ = [
    "ConflictError",
    "FileStamp",
    "Group",
    "Library",
    "LoadResult",
    "Phrase",
    "Problem",
    "RuleConfig",
    "SaveError",
    "VarSpec",
    "load_group",
    "load_library",
    "normalise_code",
    "save_group",
]
