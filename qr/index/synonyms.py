"""Customer-service synonyms: a query holding one word of a set is also searched for the others.

The bundled sets live in `data/synonyms.toml`; a library adds sets through `[synonyms]` in its
`_library.toml` (`term = ["synonym", …]`, DESIGN.md §11). Chinese members are found inside the
query text, English ones as whole words. Expanded terms weigh SYNONYM_WEIGHT of the query's own,
so a reply using the buyer's own words still ranks first.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

from qr.index.terms import normalise, query_terms

SYNONYM_WEIGHT = 0.4


@lru_cache(maxsize=1)
def bundled_groups() -> tuple[tuple[str, ...], ...]:
    # beside this module (a package's data files are installed with it): importlib.resources
    # would import tempfile, shutil, zipfile, bz2 and lzma (~6 ms) into an English `qr search`
    path = os.path.join(os.path.dirname(__file__), "data", "synonyms.toml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:  # rtoml (a dependency, for group files) imports in ~1/3 of tomllib's time; the same values
        import rtoml

        data = rtoml.loads(text)
    except ImportError:
        import tomllib

        data = tomllib.loads(text)
    return tuple(tuple(normalise(word) for word in group) for group in data["groups"])


def library_groups(table: Mapping[str, object]) -> tuple[tuple[str, ...], ...]:
    """The sets of a `[synonyms]` table: each key with its list (bad values skipped; lint and the
    loader report them)."""
    groups = []
    for term, values in table.items():
        if isinstance(values, str):
            values = [values]
        if isinstance(values, list):
            words = [term, *(value for value in values if isinstance(value, str))]
            groups.append(tuple(normalise(word) for word in words if word.strip()))
    return tuple(groups)


def _present(word: str, text: str, words: set[str]) -> bool:
    if word.isascii():
        return word in words if " " not in word else word in text
    return word in text


def expand(query: str, weights: dict[str, float], extra: Iterable[tuple[str, ...]] = ()) -> dict[str, float]:
    """`weights` (the query's own terms) plus the terms of every synonym of a word in `query`."""
    text = normalise(query)
    words = set(re.findall(r"[a-z']+", text))
    expanded = dict(weights)
    for group in (*bundled_groups(), *extra):
        present = [word for word in group if _present(word, text, words)]
        if not present:
            continue
        for word in group:
            if word in present:
                continue
            for term, weight in query_terms(word).items():
                if len(term) == 1 and len(word) > 1:
                    continue  # a synonym's own characters would match far too widely
                weight *= SYNONYM_WEIGHT
                if expanded.get(term, 0.0) < weight:
                    expanded[term] = weight
    return expanded
