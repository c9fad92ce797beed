"""Text search in tiers, best score first: code -> title prefix -> title -> asks -> code/tags/group ->
pinyin -> note -> body, stopping as soon as nothing left unscanned could enter the page; typos last
(`qr.index.fuzzy`). What the tiers cannot do alone (mixed pinyin, pinyin typos, sentences) is in
`qr.index.sentences`.

A note or body match is graded (`graded_score`) by how much of the query that field holds in one
piece and where: a body that says "refund timeline" in its first sentence outranks one that
mentions refund at the start and timeline three sentences later. The grades stay inside the
tier's band (NOTE_SCORES, BODY_SCORES), so the tier order holds."""

from __future__ import annotations

import sys
from datetime import date

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Mapping

    from qr.index.phrase_index import PhraseIndex, Scored

from qr.store.models import is_valid_code, normalise_code

TIERS = (
    # (bound, field, needle form): the best score a phrase first found in this tier can have
    (99.0, "codes", "exact"),
    (98.0, "titles", "prefix"),
    (94.0, "titles", "plain"),
    (90.0, "asks", "plain"),
    (88.0, "others", "plain"),
    (86.0, "pinyin", "plain"),
    (69.0, "notes", "plain"),
    (64.0, "bodies", "plain"),
)
NOTE_SCORES = (65.0, 69.0)
BODY_SCORES = (60.0, 64.0)
"""(worst, best) score of a note or body match: above the group name (56), below any pinyin (78)."""
GRADED_SCAN = 600
"""Phrases a query reads in the note and body tiers once the page is full. The best body match
can sit anywhere (only a match at the very start of the field reaches the tier's bound), so
without a cap a common word (退款 is in 26,000 of 100,000 bodies) would grade every one; with it,
a word in more than ~600 notes and bodies is ranked among the used phrases and the first 600."""
SENTENCE_ENDS = frozenset("。！？；…!?;.\n")
CLAUSE_ENDS = frozenset("，,：:、")
"""After these a match starts a clause: less than a sentence, more than a word inside one (most
replies open with 亲， or "Hi there," and then say what they are about)."""
_POSITION_REACH = 200
"""Characters over which an earlier position stops counting."""
_RUN_TOKENS = 6


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
    if any(not holds(index, token) for token in set(tokens) - {driver}):
        tiers = []  # a word no phrase has: scanning the driver's tiers would find nothing
    # the notes and bodies a posting list names (Chinese: bodies have no bloom filter for it)
    holders = _relevance_holders(index, driver)
    budget = GRADED_SCAN
    for position, (bound, name, form) in enumerate(tiers):
        # stopping inside a tier is right only if the next tier's phrases all score lower
        may_stop = position + 1 == len(tiers) or tiers[position + 1][0] < bound
        graded = name in ("notes", "bodies")
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
        found_ids = column.ids_among(needle, holders) if graded and holders is not None else column.ids(needle, driver)
        for found in found_ids:
            while passed < len(ties) and ties[passed] < found:
                passed += 1
                ahead += 1
            if ahead >= limit and may_stop:
                return scored
            if found in scored or not index.visible(found, today):
                continue
            if graded:
                budget -= 1
                if budget < 0 and len(scored) >= limit:
                    return scored
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
    columns = [column for column in (index.codes, index.titles, index.others, index.pinyin, index.bodies) if column.blooms]

    def groups(token: str) -> int:
        return sum(column.groups_for(token).bit_count() for column in columns)

    return min(tokens, key=lambda token: (groups(token), -len(token)))


def graded_score(field: str, text: str, tokens: list[str]) -> float:
    """The score of a match decided by the note or the body (`field`): the band's worst plus its
    width times how well `text` answers the query (`grade`): two thirds coverage, one third
    position."""
    low, high = NOTE_SCORES if field == "note" else BODY_SCORES
    coverage, at, opening = grade(text, tokens)
    position = OPENINGS[opening] * (1 - 0.4 * min(at, _POSITION_REACH) / _POSITION_REACH)
    return low + (high - low) * (0.65 * coverage + 0.35 * position)


OPENINGS = {"sentence": 1.0, "clause": 0.8, "inside": 0.6}
"""What a match's opening is worth: the start of the field or of a sentence, of a clause, or a
word inside a sentence (earlier beats later on top of it)."""


def grade(text: str, tokens: list[str]) -> tuple[float, int, str]:
    """(coverage 0-1, where, opening) of a field that holds the query's words (`qr search
    --explain` shows it).

    Coverage: half the share of the query's characters found in `text`, half the share held in
    one piece (the longest run of consecutive query words `text` has as written, joined by a
    space or by nothing). Where: the character at which that piece first starts; its opening
    is a key of OPENINGS."""
    if len(tokens) == 1:  # the common case, and a hit holds its one word: only where counts
        coverage, at = 1.0, text.find(tokens[0])
    else:
        total = sum(map(len, tokens)) or 1
        held = sum(len(token) for token in tokens if token in text)
        run, at = _longest_run(text, tokens[:_RUN_TOKENS])
        coverage = (held + run) / (2 * total)
    before = text[at - 2 : at].rstrip(" ")[-1:] if at > 0 else "\n"
    return coverage, max(at, 0), "sentence" if before in SENTENCE_ENDS else "clause" if before in CLAUSE_ENDS else "inside"


def _longest_run(text: str, tokens: list[str]) -> tuple[int, int]:
    """(characters of query words, where it first starts) of the longest run of consecutive query
    words that `text` holds in one piece; (0, len(text)) when it holds none."""
    best, where = 0, len(text)
    for first in range(len(tokens)):
        piece = tokens[first]
        at = text.find(piece)
        if at == -1:
            continue
        size = len(piece)
        for token in tokens[first + 1 :]:
            for joiner in (" ", ""):
                found = text.find(piece + joiner + token)
                if found != -1:
                    piece, at, size = piece + joiner + token, found, size + len(token)
                    break
            else:
                break
        if size > best or (size == best and at < where):
            best, where = size, at
    return best, where


def _relevance_holders(index: PhraseIndex, token: str) -> list[int] | None:
    """The phrases that may hold `token` in a note or body, from the relevance index's postings
    of its Chinese when that index is ready (never built here); None: scan."""
    if token.isascii() or len(token) < 2:
        return None
    relevance_module = sys.modules.get("qr.index.relevance")
    if relevance_module is None:  # no relevance index exists in this process: do not import it for nothing
        return None
    relevance = relevance_module.ready_relevance(index)
    return relevance.holders(token) if relevance is not None else None


HOLDING_FIELDS = ("titles", "asks", "others", "pinyin", "notes", "bodies")
"""Every field `PhraseIndex.token_score` looks in (others holds the code, tags and group name)."""


def holds(index: PhraseIndex, token: str) -> bool:
    """Whether any phrase has `token` in a field a search looks in: the first match ends the
    scan, so a word that is there costs little, and one that is nowhere costs one pass over
    the fields its bloom filters allow (Chinese in bodies: the relevance index's lists)."""
    holders = _relevance_holders(index, token)
    for name in HOLDING_FIELDS:
        column = index.field_for(name, token)
        if name in ("notes", "bodies") and holders is not None:
            found = column.ids_among(token, holders)
        else:
            found = column.ids(token, token)
        if next(iter(found), None) is not None:
            return True
    return False
