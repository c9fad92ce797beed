"""Typos and near misses: partial_ratio over a bounded candidate set, chosen through the library's
vocabulary (a misspelt word is replaced by the closest words the library has), rarest first."""

from __future__ import annotations

from datetime import date

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Iterable

    from qr.index.keys import GroupKeys
    from qr.index.phrase_index import PhraseIndex, Scored

from qr.index.fields import SEP
from qr.index.keys import WORDS, han

FUZZY_CANDIDATES = 300
"""Phrases scored by the fuzzy tier at most (building their keys and scoring cost ~10 µs each)."""
VOCABULARY_MATCHES = 3
"""Close vocabulary words tried per misspelt query word."""


def fuzzy_search(index: PhraseIndex, tokens: list[str], limit: int, today: date, scored: Scored) -> None:
    """Add to `scored` the phrases whose code, title, tags or group name are close to the query."""
    from rapidfuzz import fuzz, process

    query = " ".join(tokens)
    vocabulary = index.vocabulary
    grams: dict[str, int] = {}
    words = sorted(set(WORDS.findall(query)))
    unknown = [word for word in words if word not in vocabulary]
    for word in words:
        if word in vocabulary:
            grams[word] = vocabulary[word]
    if unknown:
        if index.vocabulary_choices is None:
            index.vocabulary_choices = [word for word in vocabulary if word.isascii()]
        choices = index.vocabulary_choices
        for word in unknown:
            for near, _, _ in process.extract(
                word, choices, scorer=fuzz.ratio, score_cutoff=70, limit=VOCABULARY_MATCHES
            ):
                grams[near] = vocabulary[near]
    for char in han().findall(query):
        if char in vocabulary:
            grams[char] = vocabulary[char]
    candidates: dict[int, None] = {}
    share = max(FUZZY_CANDIDATES // max(len(grams), 1), 50)
    for gram in sorted(grams, key=grams.__getitem__):
        taken = 0
        for name in ("titles", "others"):
            for found in index.field_for(name, gram).ids(gram):
                if found not in scored and found not in candidates:
                    candidates[found] = None
                    taken += 1
                    if taken >= share or len(candidates) >= FUZZY_CANDIDATES:
                        break
            if taken >= share or len(candidates) >= FUZZY_CANDIDATES:
                break
        if len(candidates) >= FUZZY_CANDIDATES:
            break
    if not candidates:
        return
    keys = {found: _fuzzy_keys(index, found) for found in candidates}
    close: dict[int, float] = {
        found: similarity
        for _, similarity, found in process.extract(
            query, {found: key[1] for found, key in keys.items()}, scorer=fuzz.partial_ratio, score_cutoff=70, limit=None
        )
    }
    # a typo of the title (or code) outranks the same typo of a tag or the group name
    heads = process.extract(query, {found: keys[found][0] for found in close}, scorer=fuzz.partial_ratio, limit=None)
    ranked = sorted(
        ((max(similarity, close[found] * 0.9), found) for _, similarity, found in heads),
        key=lambda pair: (-pair[0], pair[1]),
    )
    for similarity, found in ranked[: limit * 2]:  # type: ignore[assignment]  # rapidfuzz's stubs type dict choices loosely
        if index.visible(found, today):
            scored[found] = (similarity * 0.55, "fuzzy")


def _fuzzy_keys(index: PhraseIndex, found: int) -> tuple[str, str]:
    """(code and title, code title tags group name): what a typo is compared with."""
    g = index.group_of(found)
    k = found - index.firsts[g]
    code, _, rest = index.others.values(g)[k].partition(SEP)
    head = f"{code} {index.titles.values(g)[k]}"
    return head, f"{head} {rest.replace(SEP, ' ')}"


def merged_vocabulary(keys: Iterable[GroupKeys]) -> str:
    """The groups' vocabularies summed, in `GroupKeys.words` form."""
    vocabulary: dict[str, int] = {}
    get = vocabulary.get
    for group in keys:
        for line in group.words.splitlines():
            word, _, count = line.partition("\t")
            vocabulary[word] = get(word, 0) + int(count)
    return "".join(f"{word}\t{count}\n" for word, count in vocabulary.items())


def parse_vocabulary(text: str) -> dict[str, int]:
    """`GroupKeys.words` form back to word -> count."""
    vocabulary: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition("\t")
        if count.isdigit():
            vocabulary[word] = int(count)
    return vocabulary
