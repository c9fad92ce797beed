"""Readings of heteronyms by word: 银行 yinhang (not yinxing), 重新 chongxin, 了解 liaojie.

`qr.index.pinyin` reads each character with its most common reading, which is right for most
characters and wrong for a heteronym (行 xing/hang, 重 zhong/chong, 了 le/liao …) in many words.
For the positions of a text that hold a heteronym, this looks up the words of pypinyin's phrase
dictionary that cover it (longest first) and takes the reading the word gives. The dictionary
(~47,000 words, a few hundred milliseconds to load) is loaded only when a text holds a heteronym,
only while indexing without a cache; the index cache keeps the result.
"""

from __future__ import annotations

from functools import lru_cache

LONGEST_WORD = 4


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list[list[str]]]:
    import importlib.util
    import json
    from pathlib import Path

    # the JSON copy loads faster than the generated module (no byte-code to compile when writing
    # byte-code is off, as in this sandbox); fall back to the module
    spec = importlib.util.find_spec("pypinyin")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "phrases_dict.json"
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                break
            if isinstance(data, dict) and data:
                return data
    from pypinyin.phrases_dict import phrases_dict

    return phrases_dict


def load() -> None:
    """Load the word table now (the cold load does it before forking, so both processes share it)."""
    _phrases()


def word_readings(text: str, is_heteronym, plain) -> dict[int, str]:
    """Position -> plain syllable for each heteronym of `text` that a dictionary word covers.

    `is_heteronym(char)` tells whether a character has several readings; `plain(syllable)`
    strips tone marks (`qr.index.pinyin._plain`).
    """
    positions = [position for position, char in enumerate(text) if is_heteronym(char)]
    if not positions:
        return {}
    phrases = _phrases()
    readings: dict[int, str] = {}
    for position in positions:
        found = None
        for length in range(LONGEST_WORD, 1, -1):
            for start in range(max(0, position - length + 1), min(position, len(text) - length) + 1):
                word = text[start : start + length]
                entry = phrases.get(word)
                if entry is not None and len(entry) == length:
                    found = entry[position - start][0]
                    break
            if found is not None:
                break
        if found is not None:
            readings[position] = plain(found)
    return readings
