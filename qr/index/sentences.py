"""The text search entry point: the tiers, then what they cannot do alone.

The tiers (code, title, asks, tags, pinyin, note, body, typo: `qr.index.tiers`) keep their
ranking: a query of a few letters or a title ranks as it always did. Around them:
- a query that mixes pinyin and Chinese (`tui货`, `wl繁忙`) is also searched with its Chinese
  spelt in pinyin (full and initials), a little below a direct match;
- a one-word pinyin query that matches nothing (`wlfn`) tries pinyin one letter away (`wlfm`),
  at PINYIN_TYPO, below a body match;
- when a query says more (`is_long`: 退款多久到账, "my parcel is late", a pasted message) or the tiers found fewer hits than asked for, the relevance index
  (`qr.index.relevance`, with synonyms) ranks phrases by how well they answer it; its hits join
  the tiers' on one scale: a long query's span RELEVANT_LOW to RELEVANT_HIGH (below a title that
  holds the whole query, above a body that merely contains it), a short query's stay below every
  tier hit (RELEVANT_LOW to SHORT_HIGH). A long query skips the typo tier (it would compare a
  sentence with titles letter by letter) and the body tier (the relevance pass reads bodies), as
  does a mixed one.

No Textual here.
"""

from __future__ import annotations

import re
from _thread import allocate_lock
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import date
    from pathlib import Path

    from qr.index.phrase_index import PhraseIndex, Scored
    from qr.index.relevance import RelevanceIndex

from qr.index.terms import content_counts

LONG_QUERY = 4
"""How much a query must say to be ranked by relevance first: Han characters outside particles,
plus 1.5 per English content word (退款多久到账, "refund still not arrived"; not "shipping delay")."""
RELEVANT_LOW = 30.0
RELEVANT_HIGH = 93.0
SHORT_HIGH = 59.0
CANDIDATES = 200
"""Relevance hits taken per query (the launcher shows 50)."""
TITLE_SCORE = 94.0
MIXED_PENALTY = 2.0
PINYIN_TYPO = 58.0


@lru_cache(maxsize=1)
def _mixed() -> re.Pattern:
    # compiled on the first word that may mix (`is_mixed`): its two Han classes take ~2 ms to
    # compile, which a `qr search` for an English or a Chinese word need not pay
    return re.compile(r"[a-z][\u3400-\u9fff]|[\u3400-\u9fff][a-z]")


@lru_cache(maxsize=1)
def _han_run() -> re.Pattern:
    return re.compile(r"[\u3400-\u9fff]+")


_LETTER = re.compile(r"[a-z]")


def is_mixed(token: str) -> bool:
    """Whether a word mixes pinyin letters and Han characters (tui货, wl繁忙). Only a word with both
    an ASCII letter and another character can: the mixed pattern is compiled for the first such."""
    return not token.isascii() and _LETTER.search(token) is not None and _mixed().search(token) is not None

_PINYIN_WORD = re.compile(r"[a-z]{3,12}")


def is_long(query: str) -> bool:
    han, words = content_counts(query)
    return han + 1.5 * words >= LONG_QUERY


def sentence_search(index: PhraseIndex, query: str, limit: int, today: date, usage: Mapping[str, float]) -> Scored:
    """Every way a text query can find phrases, scored on the tiers' scale."""
    from qr.index.tiers import text_search

    tokens = query.lower().split()
    long = is_long(query)
    mixed = any(is_mixed(token) for token in tokens)
    scored = text_search(index, tokens, limit, today, usage, typos=not (long or mixed), bodies=not (long or mixed))
    if mixed:
        _add_mixed(index, tokens, limit, today, usage, scored)
        if not long and len(scored) < limit:  # typos last: the pinyin spellings usually fill the page
            from qr.index.fuzzy import fuzzy_search

            fuzzy_search(index, tokens, limit, today, scored)
    if len(tokens) == 1 and _PINYIN_WORD.fullmatch(tokens[0]) and not any(where == "pinyin" for _, where in scored.values()):
        _add_pinyin_typos(index, tokens[0], limit, today, scored)
    found = sum(1 for _, where in scored.values() if where != "fuzzy")
    strong = sum(1 for score, _ in scored.values() if score >= TITLE_SCORE)
    # a sentence whose words already fill the page from titles (物流繁忙) needs no relevance pass
    if (long and strong < limit) or found < limit:
        add_relevance(index, query, scored, limit, today, long)
    return scored


# -- mixed pinyin and Chinese -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _tables():
    from qr.index.pinyin import PinyinTables

    return PinyinTables()


def mixed_variants(token: str) -> list[str]:
    """`tui货` -> [`tuihuo`, `tuih`]: the Chinese of a mixed token in full pinyin, and in initials."""
    tables = _tables()
    han_run = _han_run()
    full = han_run.sub(lambda match: tables.word_readings(match[0])[1], token)
    initials = han_run.sub(lambda match: tables.word_readings(match[0])[0], token)
    return list(dict.fromkeys((full, initials)))


def _add_mixed(index: PhraseIndex, tokens: list[str], limit: int, today: date, usage: Mapping[str, float], scored: Scored) -> None:
    from qr.index.tiers import text_search

    choices = [mixed_variants(token) if is_mixed(token) else [token] for token in tokens]
    variants: list[list[str]] = [[]]
    for options in choices[:2]:
        variants = [[*done, option] for done in variants for option in options][:4]
    for variant in variants:
        variant += tokens[len(choices[:2]) :]
        for found, (score, where) in text_search(index, variant, limit, today, usage, typos=False, bodies=False).items():
            score -= MIXED_PENALTY
            if found not in scored or scored[found][0] < score:
                scored[found] = (score, where)


# -- pinyin one letter off ---------------------------------------------------------------------------

PINYIN_TYPO_CANDIDATES = 120


def _add_pinyin_typos(index: PhraseIndex, token: str, limit: int, today: date, scored: Scored) -> None:
    """Phrases whose pinyin holds `token` with one letter wrong, missing, extra or swapped: each such
    spelling contains `token` with one letter deleted, or `token` holds it with one deleted."""
    from rapidfuzz.distance import Levenshtein

    needles = {token[:position] + token[position + 1 :] for position in range(len(token))}
    seen = 0
    for needle in sorted(needles):
        for found in index.pinyin.ids(needle):
            if found in scored or not index.visible(found, today):
                continue
            seen += 1
            if _one_off(index.pinyin_of(found), token, Levenshtein.distance):
                scored[found] = (PINYIN_TYPO, "pinyin")
            if seen >= PINYIN_TYPO_CANDIDATES or len(scored) >= limit:
                return


def _one_off(pinyin: str, token: str, distance) -> bool:
    size = len(token)
    for part in pinyin.split("\x1f"):
        for start in range(0, max(len(part) - size + 2, 1)):
            for width in (size - 1, size, size + 1):
                window = part[start : start + width]
                if abs(len(window) - size) <= 1 and distance(window, token, score_cutoff=1) <= 1:
                    return True
    return False


# -- relevance ---------------------------------------------------------------------------------------


def weighted_terms(query: str, synonyms: Iterable[tuple[str, ...]] = ()) -> dict[str, float]:
    """The query's own terms (filler down-weighted) plus its synonyms' (weighing less)."""
    from qr.index.synonyms import expand
    from qr.index.terms import query_terms

    return expand(query, query_terms(query), synonyms)


def blend(scored: Scored, relevant: Sequence[tuple[int, float]], long: bool, visible) -> None:
    """Add the relevance hits (phrase index, share 0-1) to the tiers' `scored` in place: a phrase
    both found keeps the better of its two scores."""
    high = RELEVANT_HIGH if long else SHORT_HIGH
    for found, share in relevant:
        score = RELEVANT_LOW + (high - RELEVANT_LOW) * share
        known = scored.get(found)
        if known is not None and known[0] >= score:
            continue
        if visible(found):
            scored[found] = (round(score, 3), "relevance")


def add_relevance(index: PhraseIndex, query: str, scored: Scored, limit: int, today: date, long: bool) -> None:
    relevance = relevance_of(index) if not deferred(index) else index.__dict__.get("_relevance_index")
    if relevance is None:
        return  # a worker is preparing it (`prepare_relevance`): the tiers answer until then
    weights = weighted_terms(query, synonym_groups(index))
    if not weights:
        return
    relevant = relevance.search(weights, max(limit, CANDIDATES))
    blend(scored, relevant, long, lambda found: index.visible(found, today))


def synonym_groups(index: PhraseIndex) -> tuple[tuple[str, ...], ...]:
    """The `[synonyms]` of the index's libraries (`_library.toml`), as synonym sets."""
    found = index.__dict__.get("_synonym_groups")
    if found is None:
        from qr.index.synonyms import library_groups

        groups: list[tuple[str, ...]] = []
        seen: set[int] = set()
        for part in index.parts:
            if id(part.library) not in seen:
                seen.add(id(part.library))
                table = part.library.extra.get("synonyms")
                if isinstance(table, dict):
                    groups += library_groups(table)
        found = index.__dict__["_synonym_groups"] = tuple(groups)
    return found


# -- the relevance index: built from the key fields, kept beside the index cache ---------------------


def key_documents(index: PhraseIndex) -> Iterable[tuple[str, str, str, str, str]]:
    """Per phrase, its texts in `relevance.FIELDS` order, read from the key fields (no Phrase
    objects: a warm start has none). Groups the search has not decoded are decoded for this pass
    only, not kept: at 100,000 phrases every body as a str would stay in memory otherwise."""
    sep = "\x1f"
    columns = (index.titles, index.asks, index.others, index.notes, index.bodies)
    for g in range(len(index.parts)):
        texts = [_values_once(column, g) for column in columns]
        for title, asks, other, note, body in zip(*texts, strict=False):
            tags = other.split(sep)[1:-1]
            yield title, asks.replace(sep, "\n"), "\n".join(tags), note, body


def _values_once(column, group: int) -> list[str]:
    kept = group in column._values
    values = column.values(group)
    if not kept:
        column._values.pop(group, None)  # pop: the launcher's thread may have decoded it meanwhile
    return values


SYNC_BUILD_LIMIT = 1000
"""Up to this many phrases the relevance index is built on the query that first needs it (~0.1 s);
a larger one (about 1.3 s at 10,000 phrases, 16 s at 100,000) would freeze the launcher on a
keystroke, so the launcher defers it (`defer_relevance`) and builds it in a worker thread."""
_building = allocate_lock()  # threading.Lock itself, without importing threading (~1 ms)


def defer_relevance(index: PhraseIndex) -> bool:
    """Mark an index as too big to build its relevance index on a keystroke: its searches use the
    tiers alone until `prepare_relevance` (in a worker) has it. True when the caller must start that."""
    if index.size <= SYNC_BUILD_LIMIT or relevance_ready(index):
        return False
    index.__dict__["_relevance_deferred"] = True
    return True


def deferred(index: PhraseIndex) -> bool:
    return bool(index.__dict__.get("_relevance_deferred"))


def relevance_ready(index: PhraseIndex) -> bool:
    from qr.index.relevance import ready_relevance

    return ready_relevance(index) is not None


def prepare_relevance(index: PhraseIndex) -> RelevanceIndex:
    """Load or build the index's relevance index (for a worker thread; safe to call twice). A big
    one is built by a process of its own (`qr.index.relevance_worker`: its memory and CPU stay
    out of the launcher), then read from its file."""
    if not relevance_ready(index) and index.size > SYNC_BUILD_LIMIT:
        path = _stored_path(index)
        if path is None or not _stored_for(path, _identity(index)):
            from qr.index.relevance_worker import build_elsewhere

            build_elsewhere(index)
    return relevance_of(index)


def _stored_for(path: Path, identity: bytes) -> bool:
    """Whether the file at `path` was built from these key fields (its first line: see `_write`)."""
    try:
        with open(path, "rb") as handle:
            return handle.readline() == identity + b"\n"
    except OSError:
        return False


def relevance_of(index: PhraseIndex) -> RelevanceIndex:
    """The index's relevance index: kept on the index, else read from its file beside the index
    cache when that was built from the same key fields, else built (and that file written)."""
    found = index.__dict__.get("_relevance_index")
    if found is not None:
        return found
    with _building:  # a worker and a caller never build the same index twice
        found = index.__dict__.get("_relevance_index")
        if found is not None:
            return found
        from qr.index.relevance import RelevanceIndex

        identity = _identity(index)
        path = _stored_path(index)
        found = _read(path, identity) if path is not None else None
        if found is None:
            found = RelevanceIndex.build(key_documents(index))
            if path is not None:
                _write(path, identity, found)
        index.__dict__["_relevance_index"] = found
    return found


def _identity(index: PhraseIndex) -> bytes:
    """A checksum of the key fields the relevance index is built from: of each group's CRC in
    each field, the one the cache file keeps beside the bytes (`KeyField.checksums`, checked when
    the group is read) or computed here for keys made in this process (the same value), so that a
    warm start does not read every key byte (~20 ms at 100,000 phrases) to find its file."""
    import zlib
    from array import array

    crcs = array("I")
    for column in (index.titles, index.others, index.asks, index.notes, index.bodies):
        stored = column.checksums
        offsets, view = column.offsets, memoryview(column.buffer)
        for group in range(len(offsets) - 1):
            crc = stored[group] if stored is not None else None
            crcs.append(crc if crc is not None else zlib.crc32(view[offsets[group] : offsets[group + 1]]))
    return f"{index.size}:{zlib.crc32(crcs.tobytes())}".encode()


def _stored_path(index: PhraseIndex) -> Path | None:
    try:
        from qr.config import cache_dir
        from qr.store.digest import sha1

        libraries = dict.fromkeys(part.library.root for part in index.parts)  # one resolve() per library, not per group
        roots = "\n".join(dict.fromkeys(str(root.resolve()) for root in libraries))
        return cache_dir() / "index" / f"{sha1(roots.encode()).hexdigest()[:20]}.relevance"
    except (OSError, RuntimeError, ValueError):
        return None


def _read(path: Path, identity: bytes) -> RelevanceIndex | None:
    from qr.index.relevance import RelevanceIndex

    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, newline, rest = data.partition(b"\n")
    if not newline or head != identity:
        return None
    return RelevanceIndex.from_bytes(rest)


def _write(path: Path, identity: bytes, relevance: RelevanceIndex) -> None:
    """Atomically, readable by the user only; a failure only costs the next process a rebuild."""
    from qr.index.private_file import write_private

    try:
        write_private(path, (identity, b"\n", relevance.to_bytes()))
    except OSError:
        pass


# -- shown to people ---------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)(?:\|([^{}]*))?\}")


def body_text(body: str) -> str:
    """A body as the buyer will read it: `{name|fallback}` becomes the fallback, `{name}` a space."""
    return _PLACEHOLDER.sub(lambda match: match[2] or " ", body)
