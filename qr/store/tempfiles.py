"""qr's own temp files (`.NAME.toml.XXXXXXXX.tmp`): how atomic_write names them, and sweeping up
the ones a killed save left behind, at the next load of their folder."""

from __future__ import annotations

import os
import re
import stat
import time

TEMP_SUFFIX = ".tmp"
STALE_TEMP_SECONDS = 60.0
"""A temp file of qr's own naming older than this was left by a killed save: removed at the next load."""
_TEMP_NAME = re.compile(r"^\.[^/\\]+\.toml\.[A-Za-z0-9_]{8}\.tmp$")


def is_own_temp_name(name: str) -> bool:
    """True for `.NAME.toml.XXXXXXXX.tmp`, the temp files atomic_write makes (tempfile's 8 random characters)."""
    return bool(_TEMP_NAME.match(name))


def remove_stale_temp(folder: str, names: list[str], now: float | None = None) -> None:
    """Delete temp files of qr's own naming in `folder` older than a minute (a save killed mid-way)."""
    now = time.time() if now is None else now
    for name in names:
        if not is_own_temp_name(name):
            continue
        full = os.path.join(folder, name)
        try:
            info = os.lstat(full)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_SECONDS:
                os.unlink(full)
        except OSError:
            pass  # gone already, or not ours to delete: a load never fails over a leftover
