"""Why a hit ranked where it did (`qr search --explain`), and which words of a query a phrase holds
(the launcher's preview marks them).

Worked out after the search, from the hit's phrase: the search itself never pays for it.
No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from qr.store.entry import Hit
    from qr.store.models import Phrase

from qr.index.terms import normalise, terms

TEXT_FIELDS = ("code", "title", "asks", "tags", "group", "note", "body")


@dataclass(frozen=True)
class Explanation:
    tier: str
    """Which tier ranked the hit: code, title, tag, group, pinyin, body, fuzzy, relevance, all."""
    score: float
    words: tuple[tuple[str, tuple[str, ...]], ...]
    """Each word of the query with the fields that contain it (empty: none does)."""
    terms: tuple[tuple[str, float, tuple[str, ...]], ...]
    """For a relevance hit: each matched query term, its weight (1 = the buyer's own word, less
    for filler, single characters and synonyms) and the fields holding it."""
    grade: tuple[float, int, str] | None = None
    """For a note or body hit: how much of the query that field holds, from which character,
    and whether that starts a sentence, a clause or is inside one (`qr.index.tiers.grade`)."""


def field_texts(phrase: Phrase, group_name: str) -> dict[str, str]:
    from qr.index.sentences import body_text

    return {
        "code": (phrase.code or "").lower(),
        "title": normalise(phrase.title),
        "asks": normalise("\n".join(phrase.asks)),
        "tags": normalise("\n".join(phrase.tags)),
        "group": normalise(group_name),
        "note": normalise(phrase.note),
        "body": normalise(body_text(phrase.body)),
    }


def explain(hit: Hit, query: str, pinyin: str = "", synonyms=()) -> Explanation:
    """Why `hit` was found for `query` (`pinyin`: the phrase's pinyin key, for pinyin hits)."""
    texts = field_texts(hit.phrase, hit.group.name)
    query = query.strip()
    if query.startswith("/"):
        code, _, query = query[1:].partition(" ")
    words = []
    for word in normalise(query).split():
        found = tuple(name for name in TEXT_FIELDS if word in texts[name])
        if not found and pinyin and word in pinyin:
            found = ("pinyin",)
        words.append((word, found))
    matched = []
    if hit.where == "relevance":
        from qr.index.sentences import weighted_terms

        field_terms = {name: set(terms(text)) for name, text in texts.items() if name not in ("code", "group")}
        # as indexed: a body's single characters are not (see relevance.RelevanceIndex.build)
        field_terms["body"] = {term for term in field_terms["body"] if len(term) > 1 or term.isascii()}
        for term, weight in weighted_terms(query, synonyms).items():
            holders = tuple(name for name, found in field_terms.items() if term in found)
            if holders:
                matched.append((term, round(weight, 2), holders))
        matched.sort(key=lambda item: -item[1])
    graded = None
    if hit.where in ("note", "body"):
        from qr.index.tiers import grade

        graded = grade(texts[hit.where], normalise(query).split())
    return Explanation(hit.where, hit.score, tuple(words), tuple(matched), graded)


def matched_words(text: str, query: str, synonyms=()) -> list[tuple[int, int]]:
    """Character spans of `text` holding a term of `query` (its own words, not filler or single
    characters, and its synonyms): what the launcher's preview highlights for a pasted message."""
    from qr.index.sentences import weighted_terms

    wanted = {term for term, weight in weighted_terms(query, synonyms).items() if weight >= 0.4 and len(term) > 1}
    if not wanted:
        return []
    lowered = normalise(text)
    if len(lowered) != len(text):
        return []
    spans: list[tuple[int, int]] = []
    for term in wanted:
        if not term.isascii():
            start = lowered.find(term)
            while start != -1:
                spans.append((start, start + len(term)))
                start = lowered.find(term, start + 1)
    import re

    for match in re.finditer(r"[a-z]+", lowered):
        if set(terms(match[0])) & wanted:
            spans.append(match.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
