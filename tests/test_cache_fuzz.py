"""The index cache is all or nothing (issue #14.7): a seeded fuzz test damages a real cache file
(bit flips, random bytes, truncation, spans rewritten, inserted or deleted, the header alone) and
checks every run either gives exactly what a fresh load from the TOML files gives, or rebuilds:
never an exception, never a different result."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest
from conftest import write_library

from qr.index.cache import cache_path
from qr.index.cache_file import LENGTH, MAGIC
from qr.index.phrase_index import PhraseIndex
from qr.store.load import load_library
from qr.workspace import open_workspace

CASES = int(os.environ.get("QR_FUZZ_CASES", "1000"))
SEED = 20261130
QUERIES = ("", "/wl", "/wl1", "/en", "/wk1", "wlfm", "wuliu", "物流", "包裹 破损", "shipping delay", "shiping dleay",
           "refund", "限时", "xs", "/p1", "zzz")

EXTRA = {
    "promo.toml": 'name = "促销"\norder = 1\n[[phrases]]\ncode = "p1"\ntitle = "限时优惠"\nbody = "活动{x}"\n'
                  'tags = ["促销"]\nvalid_from = 2026-01-01\nvalid_until = 2026-12-31\n',
    "broken.toml": 'name = "坏"\n[[phrases]]\ntitle = \n',
}


def observe(workspace) -> tuple:
    """Everything a run shows a user: the library, its problems, and what the index answers."""
    index = workspace.index
    library = workspace.library
    return observe_index(index, library, workspace.problems)


def observe_index(index: PhraseIndex, library, problems) -> tuple:
    searches = tuple(
        tuple((hit.phrase, hit.group.path, hit.score, hit.where, hit.index) for hit in index.search(query, limit=20))
        for query in QUERIES
    )
    codes = tuple(
        (code, entry.phrase if (entry := index.by_code(code)) else None) for code in ("wl1", "wl2", "wl10", "en1", "p1", "nope")
    )
    pinyin = tuple(index.pinyin_of(position) for position in range(len(index)))
    groups = tuple((group.path, group.name, group.stamp, group.phrases) for group in library.groups)
    return (library, groups, tuple(map(str, problems)), searches, codes, pinyin, tuple(entry.phrase for entry in index.entries))


def damaged(data: bytes, rng: random.Random) -> bytes:
    header_end = len(MAGIC) + LENGTH.size + LENGTH.unpack(data[len(MAGIC) : len(MAGIC) + LENGTH.size])[0]
    kind = rng.randrange(8)
    where = rng.randrange(len(data))
    buffer = bytearray(data)
    if kind == 0:  # one bit
        buffer[where] ^= 1 << rng.randrange(8)
    elif kind == 1:  # a few bytes anywhere
        for _ in range(rng.randint(1, 4)):
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
    elif kind == 2:  # truncated
        del buffer[where:]
    elif kind == 3:  # a span rewritten
        span = rng.randint(1, 64)
        buffer[where : where + span] = rng.randbytes(min(span, len(buffer) - where))
    elif kind == 4:  # bytes inserted
        buffer[where:where] = rng.randbytes(rng.randint(1, 16))
    elif kind == 5:  # a span deleted
        del buffer[where : where + rng.randint(1, 64)]
    elif kind == 6:  # inside the header only
        buffer[rng.randrange(header_end)] ^= 1 << rng.randrange(8)
    else:  # inside the data only: same length, so only checksums can tell
        position = rng.randrange(header_end, len(buffer))
        buffer[position] = (buffer[position] + rng.randint(1, 255)) % 256
    return bytes(buffer)


@pytest.fixture
def library(library_dir: Path) -> Path:
    write_library(library_dir, EXTRA)
    an_hour_ago = time.time() - 3600  # not "racy" (see qr.index.cache): the good cache stays as written
    for path in library_dir.rglob("*.toml"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    return library_dir


def test_damaged_cache_gives_fresh_results_or_rebuilds(library):
    plain = load_library(library)
    expected = observe_index(PhraseIndex.from_libraries([plain.library]), plain.library, plain.problems)
    assert observe(open_workspace(library)) == expected  # writes the cache
    path = cache_path(library.resolve())
    good = path.read_bytes()
    assert observe(open_workspace(library)) == expected  # served by it
    rng = random.Random(SEED)
    outcomes = {"rejected": 0, "recovered": 0, "unharmed": 0}
    for case in range(CASES):
        bad = damaged(good, rng)
        if bad == good:
            continue
        path.write_bytes(bad)
        workspace = open_workspace(library)
        assert observe(workspace) == expected, f"case {case}"
        if workspace._cached.rejected:
            outcomes["rejected"] += 1  # found at once: deleted and rebuilt from the TOML files
            assert path.read_bytes() == good
        elif workspace.index.damaged:
            outcomes["recovered"] += 1  # found on first use of the damaged bytes: keys rebuilt
            assert not path.exists()
        else:
            outcomes["unharmed"] += 1  # the damage was in bytes this run never used
    # every kind of outcome happened, so the test exercised all three paths
    assert all(outcomes.values()), outcomes
