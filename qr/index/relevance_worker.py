"""A big library's relevance index, built in a process of its own (#19.5).

At 100,000 phrases building it takes ~3.5 s of CPU and ~110 MB of memory at its peak. Built in
the launcher's worker thread, that memory stayed with the launcher (most of its peak RSS) and the
build held the interpreter lock against the keystrokes. Here a child process
(`python -m qr.index.relevance_worker ROOT...`) loads the same libraries through their index
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
    roots = list(dict.fromkeys(str(part.library.root.resolve()) for part in index.parts))
    if not roots:
        return False
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "qr.index.relevance_worker", *roots],
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


def main(roots: list[str]) -> int:
    """Build and store the relevance index of the libraries at `roots` (in this order)."""
    from pathlib import Path

    from qr.index.cache import load_cached
    from qr.index.phrase_index import KnownKeys, PhraseIndex
    from qr.index.sentences import relevance_of

    try:
        from qr.config import load_config
        from qr.workspace import apply_file_cap

        apply_file_cap(load_config())  # the same size cap as the caller, so the same files load
    except Exception:  # noqa: BLE001 - a bad config: the caller reported it; the default cap
        pass
    loads = [load_cached(Path(root)) for root in roots]
    known = {
        id(group): KnownKeys(group, load.keys[group.path])
        for load in loads
        for group in load.result.library.groups
        if group.path in load.keys
    }
    libraries = [load.result.library for load in loads]
    if len(loads) == 1:
        first = loads[0]
        index = PhraseIndex.from_libraries(libraries, known, first.code_table, first.layouts, first.vocabulary, first.forget)
    else:
        index = PhraseIndex.from_libraries(libraries, known)
    relevance_of(index)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
