"""Text search in tiers, best score first: code -> title prefix -> title -> asks -> code/tags/group ->
pinyin -> note -> body, stopping as soon as nothing left unscanned could enter the page; typos last
(`qr.index.fuzzy`). What the tiers cannot do alone (mixed pinyin, pinyin typos, sentences) is in
`qr.index.sentences`."""

from __future__ import annotations

from datetime import date

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Mapping

    from qr.index.phrase_index import PhraseIndex, Scored

from qr.index.fields import bloom_bits
from qr.store.models import is_valid_code, normalise_code

TIERS = (
    # (bound, field, needle form): the best score a phrase first found in this tier can have
    (99.0, "codes", "exact"),
    (98.0, "titles", "prefix"),
    (94.0, "titles", "plain"),
    (90.0, "asks", "plain"),
    (88.0, "others", "plain"),
    (86.0, "pinyin", "plain"),
    (62.0, "notes", "plain"),
    (60.0, "bodies", "plain"),
)


def text_search(
    index: PhraseIndex, tokens: list[str], limit: int, today: date, usage: Mapping[str, float], *,
    typos: bool = True, bodies: bool = True,
) -> Scored:
    """The phrases that contain every token somewhere, scored (`PhraseIndex.token_score`); then,
    with `typos` and too few hits, close spellings (`qr.index.fuzzy`). Without `bodies`, no scan
    of the bodies (a sentence, whose relevance pass reads them through its own index; the one
    field without a bloom filter for Chinese)."""
    scored: Scored = {}
    # The user's own phrases are scored exactly first: then stopping a tier early never
    # drops a used phrase that would have won a tie.
    for code in usage:
        found = index.first_with_code(normalise_code(code))
        if found is not None and found not in scored and index.visible(found, today):
            score = index.token_score(found, tokens)
            if score is not None:
                scored[found] = score
    used = set(scored)
    # Every hit contains the driver token somewhere: scan its tiers only.
    driver = rarest(index, tokens)
    pinyin_possible = driver.isascii() or not index.pinyin_ascii
    tiers = [tier for tier in tiers_for(tokens, pinyin_possible) if bodies or tier[1] != "bodies"]
    for position, (bound, name, form) in enumerate(tiers):
        # stopping inside a tier is right only if the next tier's phrases all score lower
        may_stop = position + 1 == len(tiers) or tiers[position + 1][0] < bound
        # `ahead` counts hits that outrank every phrase still unscanned: higher scores, used
        # phrases at this score, and (as the scan passes their index) earlier hits at this score
        ahead = sum(1 for score, _ in scored.values() if score > bound)
        ahead += sum(1 for found in used if scored[found][0] == bound)
        ties = sorted(found for found, (score, _) in scored.items() if score == bound and found not in used)
        passed = 0
        if ahead >= limit:
            return scored
        column = index.field_for(name, driver)
        needle = "\n" + driver + "\n" if form == "exact" else "\n" + driver if form == "prefix" else driver
        for found in column.ids(needle, driver):
            while passed < len(ties) and ties[passed] < found:
                passed += 1
                ahead += 1
            if ahead >= limit and may_stop:
                return scored
            if found in scored or not index.visible(found, today):
                continue
            score = index.token_score(found, tokens)
            if score is None:
                continue
            scored[found] = score
            if score[0] == bound:
                ahead += 1
    if typos and len(scored) < limit:
        from qr.index.fuzzy import fuzzy_search

        fuzzy_search(index, tokens, limit, today, scored)
    return scored


def tiers_for(tokens: list[str], pinyin_possible: bool) -> list[tuple[float, str, str]]:
    """The tiers to scan, with the best final score a phrase first found in each can have.

    With several words the final score is the worst word's: at most one word can be the
    code and one the start of the title, so three distinct words, or two that cannot both be
    (neither a code-like word nor one a prefix of the other), score at most 94 (inside the
    title). Then the title-prefix tier adds nothing the title tier does not find.
    """
    tiers = [tier for tier in TIERS if tier[1] != "pinyin" or pinyin_possible]
    distinct = set(tokens)
    if len(distinct) < 2 or len(distinct) < len(tokens):
        return tiers
    if any(a != b and b.startswith(a) for a in distinct for b in distinct):
        return tiers
    if len(distinct) == 2 and any(is_valid_code(token) for token in distinct):
        return tiers
    return [(min(bound, 94.0), name, form) for bound, name, form in tiers if form != "prefix"]


def rarest(index: PhraseIndex, tokens: list[str]) -> str:
    """The token that the fewest groups may contain (their bloom filters say; longer wins a tie)."""
    if len(tokens) == 1:
        return tokens[0]
    columns = (index.codes, index.titles, index.others, index.pinyin, index.bodies)

    def groups(token: str) -> int:
        wanted = bloom_bits(token)
        return sum(1 for column in columns for bloom in column.blooms or () if bloom & wanted == wanted)

    return min(tokens, key=lambda token: (groups(token), -len(token)))
