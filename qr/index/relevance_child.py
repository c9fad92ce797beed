"""The child process of `qr.index.relevance_worker`: `python -m qr.index.relevance_child
MAX_FILE_BYTES ROOT...` loads the libraries through their index caches, builds their relevance
index and writes its file beside the index cache. No Textual here."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """`MAX_FILE_BYTES ROOT...`: build and store the relevance index of the libraries at the roots
    (in this order), reading files up to that size as the caller does."""
    from pathlib import Path

    from qr.index.cache import load_cached
    from qr.index.phrase_index import KnownKeys, PhraseIndex
    from qr.index.sentences import relevance_of
    from qr.store import load

    load.MAX_FILE_BYTES = int(argv[0])
    roots = argv[1:]
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
