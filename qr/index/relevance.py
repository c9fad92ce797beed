"""Relevance search for queries that read like a sentence: BM25F over title, asks, tags, note and body.

Each phrase's fields are cut into terms (`qr.index.terms`: Chinese character pairs, English stems,
filler removed). A term's weight in a phrase is BM25F: its count in each field times the field's
weight, normalised by the field's length, saturated (k1); a query scores a phrase by the sum over
its terms of query weight x IDF x that weight. Per term the index keeps the phrases in order of
that weight (best first), quantised to a byte, and a query reads at most CHAMPIONS of them per term:
a common pair such as 快递 costs the same at 100,000 phrases as at 1,000, and what it leaves out
are phrases that mention the term the least.

Built from the index's key fields on the first long query and stored beside the index cache
(`to_bytes` / `from_bytes`), so a later process loads it instead of recomputing.

No Textual here.
"""

from __future__ import annotations

import marshal
import math
import re
from array import array

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from qr.index.phrase_index import PhraseIndex

from qr.index.terms import terms
from qr.record import Record

FIELDS = ("title", "asks", "tags", "note", "body")
WEIGHTS = (3.0, 3.0, 1.5, 1.5, 1.0)
"""How much a term counts in each field: the title and the asks say what a reply answers."""
LENGTH_NORM = (0.3, 0.3, 0.3, 0.5, 0.75)
"""BM25's b per field: long bodies are discounted, a title hardly."""
BODY = 4
K1 = 1.2
TOP_WEIGHT = (K1 + 1) * 0.999
CHAMPIONS = 2000
"""Postings kept per term (the phrases where it weighs most)."""
BUDGET = 6000
"""Postings read per query at most, shared among its terms by what each can add to a score: a
pasted message of 80 terms costs what a short question does."""
FORMAT = 1
_DOC_BITS = 24
_DOC_MASK = (1 << _DOC_BITS) - 1
_UNIFIED_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")


class RelevanceIndex(Record):
    """Per term: its document frequency and its best postings, packed as (255 - weight) << 24 | doc
    so that ascending order is best weight first, then library order. (A Record: a typo or a
    sentence query reads one on every `qr search`, and `dataclasses` would cost it ~9 ms.)"""

    size: int
    spans: dict[str, tuple[int, int, int]]
    """term -> (start, end) in `postings`, document frequency."""
    postings: array

    def __init__(self, size: int, spans: dict[str, tuple[int, int, int]], postings: array | None = None) -> None:
        self.__dict__.update(size=size, spans=spans, postings=array("I") if postings is None else postings)

    @classmethod
    def build(cls, documents: Iterable[Sequence[str]]) -> RelevanceIndex:
        """`documents`: per phrase, its texts in FIELDS order (asks and tags joined by newlines).

        Per distinct text its terms are counted once, and once per field they are weighted (the
        weight depends only on the text's length there): a phrase then merges a few ready dicts
        instead of weighing term by term, and a weight met before is not quantised again."""
        from collections import Counter

        fields_count = len(FIELDS)
        # text -> [term counts, length, uses left, then per field its {term: count x field unit}];
        # an entry's dicts are dropped at its last use, so memory falls as the postings grow
        memo: dict[str, list] = {}
        # one str per distinct term: each text's pairs are fresh slices, which at 100,000 phrases
        # would keep ~1.5 million small strings alive (most of the build's memory)
        canonical: dict[str, str] = {}
        same = canonical.setdefault
        rows: list[list[list | None]] = []
        totals = [0] * fields_count
        for texts in documents:
            row: list[list | None] = []
            for position, text in enumerate(texts):
                if not text:
                    row.append(None)
                    continue
                found = memo.get(text)
                if found is None:
                    found_terms = terms(text)
                    if position == BODY:
                        # single characters only where text is short: they double a body's terms
                        found_terms = [term for term in found_terms if len(term) > 1 or term < "\u3400"]
                    counts = {same(term, term): count for term, count in Counter(found_terms).items()}
                    found = memo[text] = [counts, len(found_terms), 0, *([None] * fields_count)]
                found[2] += 1
                row.append(found if found[1] else None)
                totals[position] += found[1]
            rows.append(row)
        size = len(rows)
        averages = [max(total / max(size, 1), 1.0) for total in totals]
        norms = [(WEIGHTS[p], LENGTH_NORM[p], averages[p]) for p in range(fields_count)]
        scale = 255 / TOP_WEIGHT * (K1 + 1)
        lists: dict[str, array] = {}
        quantised: dict[float, int] = {}
        for doc, row in enumerate(rows):
            weights: dict[str, float] | None = None
            shared = False
            for position, found in enumerate(row):
                if found is None:
                    continue
                weighted = found[3 + position]
                if weighted is None:
                    weight, b, average = norms[position]
                    unit = weight / (1 - b + b * found[1] / average)
                    weighted = found[3 + position] = {term: count * unit for term, count in found[0].items()}
                found[2] -= 1
                if not found[2]:
                    found[0] = found[3 + position] = None
                if weights is None:
                    weights, shared = weighted, True
                    continue
                if shared:
                    weights, shared = dict(weights), False
                get = weights.get
                for term, value in weighted.items():
                    weights[term] = get(term, 0.0) + value
            if weights is None:
                continue
            for term, weight in weights.items():
                # BM25 saturation, quantised to 1-255; stored inverted so ascending = best first
                high = quantised.get(weight)
                if high is None:
                    high = quantised[weight] = (255 - (int(weight / (weight + K1) * scale + 0.5) or 1)) << _DOC_BITS
                found_list = lists.get(term)
                if found_list is None:
                    lists[term] = array("I", (high | doc,))
                else:
                    found_list.append(high | doc)
        del rows, memo, canonical
        postings = array("I")
        spans: dict[str, tuple[int, int, int]] = {}
        for term, values in lists.items():
            best = sorted(values)[:CHAMPIONS] if len(values) > 1 else values
            start = len(postings)
            postings.extend(best)
            spans[term] = (start, len(postings), len(values))
        return cls(size, spans, postings)

    def to_bytes(self) -> bytes:
        return marshal.dumps((FORMAT, self.size, self.spans, self.postings.tobytes()))

    @classmethod
    def from_bytes(cls, data: bytes) -> RelevanceIndex | None:
        """The index stored by `to_bytes`, or None when `data` is not one (rebuild it)."""
        try:
            version, size, spans, raw = marshal.loads(data)
            if version != FORMAT or not isinstance(spans, dict) or not isinstance(size, int):
                return None
            postings = array("I")
            postings.frombytes(raw)
        except (ValueError, TypeError, EOFError):
            return None
        if any(not (0 <= start <= end <= len(postings)) for start, end, _ in spans.values()):
            return None
        # Phrase numbers are checked where they are read (`search`): a max() over every posting
        # here cost 10 ms at 10,000 phrases (100 ms at 100,000) on each process's first sentence
        return cls(size, spans, postings)

    def holders(self, text: str) -> list[int] | None:
        """The phrases whose title, asks, tags, note or body may contain `text`, ascending: those
        listed under the rarest character pair of its Chinese, a superset of the ones that do
        (a phrase holding `text` holds each pair of it as a term). [] when a pair of it is in no
        phrase; None when it has no pair outside the particles or each pair is in more than
        CHAMPIONS phrases (its list is cut)."""
        from qr.index.terms import han_terms

        best: tuple[int, int, int] | None = None
        for run in _UNIFIED_HAN.findall(text):  # NFKC leaves these as they are, as terms() reads them
            for term in han_terms(run):
                if len(term) != 2:
                    continue
                span = self.spans.get(term)
                if span is None:
                    return []
                if span[2] == span[1] - span[0] and (best is None or span[2] < best[2]):
                    best = span
        if best is None:
            return None
        return sorted(packed & _DOC_MASK for packed in self.postings[best[0] : best[1]])

    def idf(self, term: str) -> float:
        span = self.spans.get(term)
        if span is None:
            return 0.0
        frequency = span[2]
        return math.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))

    def search(self, weights: Mapping[str, float], limit: int) -> list[tuple[int, float]]:
        """(phrase index, score 0-1) of the best `limit` phrases for the weighted query terms, best
        first. The score is the share of what the query could score at best (every term once in a
        title)."""
        spans, postings = self.spans, self.postings
        scored: dict[int, float] = {}
        reach = {term: weight * self.idf(term) for term, weight in weights.items()}
        best_possible = sum(reach.values())
        for term in sorted(reach, key=reach.__getitem__, reverse=True):
            if not reach[term]:
                continue
            start, end, _ = spans[term]
            end = min(end, start + max(50, int(BUDGET * reach[term] / best_possible)))
            unit = reach[term] * TOP_WEIGHT / 255
            get = scored.get
            for packed in postings[start:end]:
                doc = packed & _DOC_MASK
                scored[doc] = get(doc, 0.0) + (255 - (packed >> _DOC_BITS)) * unit
        if not scored or not best_possible or max(scored) >= self.size:  # a damaged file: rank nothing
            return []
        import heapq

        # best first; equal scores keep the order the postings met them (best weight, then library order)
        top = heapq.nlargest(limit, scored, key=scored.__getitem__)
        # a title holding each term once weighs K1+1 x 3/(3+K1) ~ 1.57 of K1+1: call that full marks
        full = best_possible * (K1 + 1) * WEIGHTS[0] / (WEIGHTS[0] + K1)
        return [(doc, min(scored[doc] / full, 1.0)) for doc in top]


def ready_relevance(index: PhraseIndex) -> RelevanceIndex | None:
    """`index`'s relevance index if it is loaded or built already (`qr.index.sentences.relevance_of`
    keeps it on the index); this never builds it."""
    return index.__dict__.get("_relevance_index")
