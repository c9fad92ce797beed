"""Which literal text a regular expression needs: a text that holds none of it cannot match.

`triggers(pattern)` reads the expression's syntax tree and returns a set of strings such that every
match of the expression contains at least one of them (None when no such set is known: `.`, `\\d+`
or an optional part alone). Lint runs its ~45 expression terms only on the texts that hold one of
their triggers, found for all of them at once by `TriggerSet` in one pass: most texts hold none, and
a text that does is checked exactly as before, so findings do not change.

The analysis is sound by construction: a literal must appear, a character class of a few characters
is any of them, a sequence's adjacent literals are combined (加 × 微信|vx → 加微信, 加vx), an
alternation needs one of its branches' sets, and repetitions, look-arounds and anchors never add
a requirement they cannot guarantee. Of a sequence's possible sets the rarest is kept: longest
shortest string first, then fewest strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ahocorasick_rs import AhoCorasick

MAX_STRINGS = 64
"""A set larger than this is not worth its checks (and a product of two sets stops growing here)."""
MAX_CLASS = 12
"""A character class of more characters than this gives no trigger ([a-z], \\D)."""

_Set = frozenset[str]


def triggers(pattern: str) -> _Set | None:
    """Strings one of which every match of `pattern` contains, or None when nothing is known."""
    # the parser `re.compile` runs, and its opcodes (sre_parse before 3.11; not in typeshed as re._*)
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    tree = _parser.parse(pattern)
    if tree.state.flags & (c.SRE_FLAG_IGNORECASE):
        return None  # IGNORECASE: a literal stands for several; never used by the word lists
    _, found = _sequence(tree.data, c)
    return found


def _best(candidates: Iterable[_Set | None]) -> _Set | None:
    usable = [found for found in candidates if found and "" not in found and len(found) <= MAX_STRINGS]
    if not usable:
        return None
    return max(usable, key=lambda found: (min(map(len, found)), -len(found)))


def _product(left: _Set, right: _Set) -> _Set | None:
    if len(left) * len(right) > MAX_STRINGS:
        return None
    return frozenset(a + b for a in left for b in right)


def _sequence(items: Sequence[tuple[Any, Any]], c: Any) -> tuple[_Set | None, _Set | None]:
    """(exact, needed) of a concatenation: `exact` holds every string it can match (None when
    unknown or too many), `needed` is what each match contains (None when nothing)."""
    candidates: list[_Set | None] = []
    run: _Set | None = frozenset({""})  # the exact strings of the literal stretch being read
    whole = True  # every item so far was exact, so `run` is the sequence's exact set
    for op, value in items:
        exact, needed = _node(op, value, c)
        joined = _product(run, exact) if run is not None and exact is not None else None
        if joined is not None:
            run = joined
            continue
        whole = False
        candidates += [run, needed]
        run = exact if exact is not None else frozenset({""})
    candidates.append(run)
    return (run if whole else None), _best(candidates)


def _node(op: Any, value: Any, c: Any) -> tuple[_Set | None, _Set | None]:
    if op is c.LITERAL:
        char = frozenset({chr(value)})
        return char, char
    if op is c.IN:
        chars = _class(value, c)
        return chars, chars
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return frozenset({""}), None  # zero width: matches nothing of the text
    if op is c.SUBPATTERN:
        _group, add_flags, _del_flags, inner = value
        if add_flags & c.SRE_FLAG_IGNORECASE:
            return None, None
        return _sequence(inner.data, c)
    if op is c.ATOMIC_GROUP:
        return _sequence(value.data, c)
    if op is c.BRANCH:
        return _branch(value[1], c)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, high, inner = value
        exact, needed = _sequence(inner.data, c)
        if low == 0:
            return (exact | {""} if exact is not None and high == 1 else None), None
        if low == high == 1:
            return exact, needed
        return None, needed if needed is not None else exact
    return None, None  # ANY, NOT_LITERAL, GROUPREF…: any character, nothing known


def _branch(branches: Sequence[Any], c: Any) -> tuple[_Set | None, _Set | None]:
    exacts: list[_Set | None] = []
    needs: list[_Set | None] = []
    for branch in branches:
        exact, needed = _sequence(branch.data, c)
        exacts.append(exact)
        needs.append(needed)
    exact_all: _Set | None = None
    if all(exact is not None for exact in exacts):
        union = frozenset().union(*exacts)  # type: ignore[arg-type]
        exact_all = union if len(union) <= MAX_STRINGS else None
    if any(needed is None for needed in needs):
        return exact_all, None
    needed_all = frozenset().union(*needs)  # type: ignore[arg-type]
    return exact_all, needed_all if len(needed_all) <= MAX_STRINGS else None


def _class(items: Sequence[tuple[Any, Any]], c: Any) -> _Set | None:
    chars: set[str] = set()
    for op, value in items:
        if op is c.LITERAL:
            chars.add(chr(value))
        elif op is c.RANGE and value[1] - value[0] < MAX_CLASS:
            chars.update(chr(code) for code in range(value[0], value[1] + 1))
        else:
            return None  # NEGATE, a category (\d, \s), a wide range
    return frozenset(chars) if 0 < len(chars) <= MAX_CLASS else None


class TriggerSet:
    """Finds, in one pass over a text, which of several expressions could match in it.

    Built from each expression's triggers (None: that expression always runs). `candidates(text)`
    is a bit mask: bit i is set when expression i may match. The pass is an Aho-Corasick automaton
    (ahocorasick-rs), which reports every trigger, also those that overlap: at 10,000 phrases it
    takes ~19 ms, where pyahocorasick took ~70 ms (its nodes look a character up among their
    children one by one, and the root has one child per first character of ~1,100 triggers) and
    one trie-shaped regular expression of the same triggers 125 ms.
    """

    def __init__(self, needed: Sequence[_Set | None]) -> None:
        self.always = 0
        self.every = (1 << len(needed)) - 1
        masks: dict[str, int] = {}
        for index, found in enumerate(needed):
            if found is None:
                self.always |= 1 << index
                continue
            for trigger in found:
                if trigger and _encodable(trigger):
                    masks[trigger] = masks.get(trigger, 0) | 1 << index
                else:  # every text holds "": the expression always runs (as it does for a trigger the automaton cannot take)
                    self.always |= 1 << index
        self.masks = list(masks.values())
        self.automaton: AhoCorasick | None = None
        if masks:
            from ahocorasick_rs import AhoCorasick

            self.automaton = AhoCorasick(list(masks))

    def candidates(self, text: str) -> int:
        if self.automaton is None:
            return self.always
        try:
            found = self.automaton.find_matches_as_indexes(text, overlapping=True)
        except UnicodeEncodeError:  # a lone surrogate (bytes kept by surrogateescape): every expression runs
            return self.every
        mask = self.always
        masks = self.masks
        for index, _start, _end in found:
            mask |= masks[index]
        return mask


def _encodable(text: str) -> bool:
    """Can the automaton take `text` (UTF-8: not a lone surrogate)?"""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
