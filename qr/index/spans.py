"""Which characters of a title to highlight for a query (direct matches, else pinyin initials)."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from qr.index.phrase_index import PhraseIndex
    from qr.store.entry import Hit

from qr.index.fields import SEP


def match_spans(text: str, query: str, initials: str | None = None) -> list[tuple[int, int]]:
    """Character spans of `text` to highlight for `query` (direct matches, else pinyin initials).

    `initials` is the one-letter-per-character pinyin of `text` (see `qr.index.pinyin`).
    """
    query = query.strip().lower()
    if query.startswith("/"):
        code, _, query = query[1:].partition(" ")
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    for token in query.split():
        start = lowered.find(token)
        if start != -1 and len(lowered) == len(text):
            spans.append((start, start + len(token)))
            continue
        if initials and token.isascii():
            start = initials.find(token)
            if start != -1:
                spans.append((start, min(start + len(token), len(text))))
    return sorted(spans)


def title_spans(index: PhraseIndex, hit: Hit, query: str) -> list[tuple[int, int]]:
    """Spans of the hit's title to highlight for `query`."""
    pinyin = index.pinyin_of(hit.index) if hit.index >= 0 else ""
    initials = pinyin.split(SEP, 1)[0] if pinyin else None
    return match_spans(hit.phrase.title, query, initials)
