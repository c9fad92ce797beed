"""Readings of heteronyms by word: 银行 yinhang (not yinxing), 重新 chongxin, 了解 liaojie.

`qr.index.pinyin` reads each character with its most common reading, which is right for most
characters and wrong for a heteronym (行 xing/hang, 重 zhong/chong, 了 le/liao …) in many words.
For the positions of a text that hold a heteronym, this looks up the words of pypinyin's phrase
dictionary that cover it (longest first, then leftmost) and takes the reading the word gives.
The dictionary comes with the character readings (`qr.index.pinyin.Readings`); the index
cache keeps the result.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Container

LONGEST_WORD = 4


def word_readings(
    text: str,
    heteronyms: Container[str],
    word_syllable: Callable[[str, int], str | None],
    memo: dict[tuple[str, int], str | None] | None = None,
) -> dict[int, str]:
    """Position -> plain syllable for each heteronym of `text` that a dictionary word covers.

    `word_syllable(word, offset)`: the plain reading of `word[offset]` if `word` is a dictionary
    word, else None (`qr.index.pinyin.Readings.word_syllable`). The words that can cover a
    position lie within LONGEST_WORD - 1 characters of it, so its reading depends only on that
    window: `memo` keeps readings by window across texts (titles share their words).
    """
    readings: dict[int, str] = {}
    reach = LONGEST_WORD - 1
    for position, char in enumerate(text):
        if char not in heteronyms:
            continue
        low = position - reach if position > reach else 0
        key = (text[low : position + LONGEST_WORD], position - low)
        if memo is None:
            found = _reading_at(*key, word_syllable)
        elif key in memo:
            found = memo[key]
        else:
            found = memo[key] = _reading_at(*key, word_syllable)
        if found is not None:
            readings[position] = found
    return readings


def _reading_at(window: str, position: int, word_syllable: Callable[[str, int], str | None]) -> str | None:
    """The reading of `window[position]` given by the longest (then leftmost) word covering it."""
    size = len(window)
    for length in range(min(LONGEST_WORD, size), 1, -1):
        for start in range(max(0, position - length + 1), min(position, size - length) + 1):
            found = word_syllable(window[start : start + length], position - start)
            if found is not None:
                return found
    return None
