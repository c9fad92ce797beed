"""A big library's relevance index, built in a process of its own (#19.5).

At 100,000 phrases building it takes ~3.5 s of CPU and ~110 MB of memory at its peak. Built in
the launcher's worker thread, that memory stayed with the launcher (most of its peak RSS) and the
build held the interpreter lock against the keystrokes. Here a child process
(`qr.index.relevance_child`) loads the same libraries through their index
caches, builds the relevance index and writes its file beside the index cache; the caller then
reads that file (`qr.index.sentences.relevance_of`), whose identity check (a checksum of the key
fields) makes sure it was built from the same keys, else the caller builds it itself as before.
No Textual here.
"""

from __future__ import annotations

import subprocess
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from qr.index.phrase_index import PhraseIndex

_RUNNING: list[subprocess.Popen] = []


def build_elsewhere(index: PhraseIndex) -> bool:
    """Have a child process build and store the relevance index of `index`'s libraries; wait for
    it (the caller is a worker thread: waiting holds no lock). True when the child succeeded."""
    from qr.store import load

    roots = list(dict.fromkeys(str(part.library.root.resolve()) for part in index.parts))
    if not roots:
        return False
    try:
        child = subprocess.Popen(
            # the file size cap too (config `max_file_mb`), so that the same files load
            [sys.executable, "-m", "qr.index.relevance_child", str(load.MAX_FILE_BYTES), *roots],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True,
        )
    except OSError:
        return False
    if not _RUNNING:
        import atexit

        atexit.register(_stop_all)  # quitting never waits for a build (as with the thread before)
    _RUNNING.append(child)
    try:
        return child.wait() == 0
    finally:
        if child in _RUNNING:
            _RUNNING.remove(child)


def _stop_all() -> None:
    for child in list(_RUNNING):
        child.kill()
        child.wait()
