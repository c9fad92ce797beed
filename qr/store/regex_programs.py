"""Compiled regular expressions kept as data, so a fresh process does not compile them again.

`re.compile` of the word rules' expressions (the trie of ~400 literal terms, the allowed words, the
`re:` terms) is pure-Python work: ~9 ms of a fresh `qr check`. What it produces for the regex
engine is plain data (flags, a list of numbers, group names), so `program(source)` returns it, the
rules' tables keep it in the cache folder (`qr.store.rules_cache`), and `restore(source, program)`
hands it straight to the engine.

This is what `re.compile` itself does (`re._compiler.compile`), step for step, with CPython's own
internals: the tables' key holds the exact Python version and the engine's MAGIC number, so a
program only ever goes back to the engine that made it, and any mismatch (another interpreter, a
changed internal) falls back to `re.compile`. A test checks that a restored pattern equals the one
`re.compile` makes (patterns compare by flags, source and compiled code).
"""

from __future__ import annotations

import re

Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def program(source: str) -> Program | None:
    """What `re.compile(source)` hands to the regex engine (None when this Python's internals differ)."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(source, 0)
        code = _compiler._code(parsed, 0)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        # plain ints: the opcodes are an int subclass, which marshal does not keep
        return int(parsed.state.flags), [int(op) for op in code], parsed.state.groups - 1, groupindex, tuple(indexgroup)
    except Exception:  # noqa: BLE001 - an interpreter without these internals: compile as usual
        return None


def restore(source: str, kept: object) -> re.Pattern[str]:
    """The pattern of `source`, from its kept program when it is one, else compiled."""
    if isinstance(kept, tuple) and len(kept) == 5:
        try:
            import _sre

            flags, code, groups, groupindex, indexgroup = kept
            return _sre.compile(source, flags, code, groups, groupindex, indexgroup)
        except Exception:  # noqa: BLE001 - not this engine's program (the engine checks the code)
            pass
    return re.compile(source)
