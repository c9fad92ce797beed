"""Writing one of qr's cache files (the index cache, the pinyin tables, the relevance index).

Atomic (a reader sees the old file or the new one, never half of one: the new file is written
beside it and moved over it with `os.replace`; a process still mapping the old file keeps it) and
readable by the user only (0600 in a 0700 folder). No fsync: a cache lost in a crash is rebuilt,
and start-up should not wait for the disk.
"""

from __future__ import annotations

import os
import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the warm search path)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


def write_private(path: Path, chunks: Iterable[bytes]) -> None:
    """Write the concatenated `chunks` to `path` atomically; the temporary file is removed on any failure."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
