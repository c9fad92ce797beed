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
from array import array
from dataclasses import dataclass, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

from qr.index.terms import terms

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


@dataclass
class RelevanceIndex:
    """Per term: its document frequency and its best postings, packed as (255 - weight) << 24 | doc
    so that ascending order is best weight first, then library order."""

    size: int
    spans: dict[str, tuple[int, int, int]]
    """term -> (start, end) in `postings`, document frequency."""
    postings: array = field(default_factory=lambda: array("I"))

    @classmethod
    def build(cls, documents: Iterable[Sequence[str]]) -> RelevanceIndex:
        """`documents`: per phrase, its texts in FIELDS order (asks and tags joined by newlines)."""
        from collections import Counter

        counted: list[list[tuple[Counter, int]]] = []
        totals = [0] * len(FIELDS)
        memo: dict[str, tuple[Counter, int]] = {}
        empty: tuple[Counter, int] = (Counter(), 0)
        for texts in documents:
            fields = []
            for position, text in enumerate(texts):
                found = memo.get(text) if text else empty
                if found is None:
                    found_terms = terms(text)
                    if position == BODY:
                        # single characters only where text is short: they double a body's terms
                        found_terms = [term for term in found_terms if len(term) > 1 or term < "\u3400"]
                    found = memo[text] = (Counter(found_terms), len(found_terms))
                fields.append(found)
                totals[position] += found[1]
            counted.append(fields)
        size = len(counted)
        averages = [max(total / max(size, 1), 1.0) for total in totals]
        norms = [(WEIGHTS[p], LENGTH_NORM[p], averages[p]) for p in range(len(FIELDS))]
        scale = 255 / TOP_WEIGHT * (K1 + 1)
        lists: dict[str, array] = {}
        for doc, fields in enumerate(counted):
            weights: Counter = Counter()
            for (counts, length), (weight, b, average) in zip(fields, norms):
                if length:
                    unit = weight / (1 - b + b * length / average)
                    for term, count in counts.items():
                        weights[term] += count * unit
            for term, weight in weights.items():
                # BM25 saturation, quantised to 1-255; stored inverted so ascending = best first
                packed = (255 - (int(weight / (weight + K1) * scale + 0.5) or 1)) << _DOC_BITS | doc
                found_list = lists.get(term)
                if found_list is None:
                    lists[term] = array("I", (packed,))
                else:
                    found_list.append(packed)
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
        if postings and max(postings) & _DOC_MASK >= size:
            return None
        return cls(size, spans, postings)

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
        if not scored or not best_possible:
            return []
        import heapq

        # best first; equal scores keep the order the postings met them (best weight, then library order)
        top = heapq.nlargest(limit, scored, key=scored.__getitem__)
        # a title holding each term once weighs K1+1 x 3/(3+K1) ~ 1.57 of K1+1: call that full marks
        full = best_possible * (K1 + 1) * WEIGHTS[0] / (WEIGHTS[0] + K1)
        return [(doc, min(scored[doc] / full, 1.0)) for doc in top]
