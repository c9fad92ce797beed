"""Terms for relevance search: Chinese character pairs, English word stems, buyer filler removed.

A buyer writes 我的快递到哪了呀 or "where's my parcel??": the words that carry the question are
快递 and 到哪, parcel. Chinese text is cut at particles and pronouns (吗 呢 啊 了 的 我 你 …),
then each run of Han characters gives its character pairs (a run of one character gives the
character): no dictionary to load, and a pair matches whatever word it is part of. English words
are lower-cased, stop words dropped, and reduced to their Snowball stem (shipping -> ship), loaded
only when English text is seen. Digits are dropped: order numbers, phone numbers and sizes say
nothing about which reply fits.

No Textual here; pure functions over strings, shared by indexing and querying.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

PARTICLES = "吗呢啊吧呀哦嘛啦哈呐哇嗯噢喔了的我你您他她它咱俺亲"
"""Characters that never carry a buyer's question in this domain: Chinese text is cut at them."""

FILLER = (
    "请问", "你们", "我们", "你好", "您好", "在吗", "在不在", "一下", "这个", "那个", "这款", "那款",
    "可以", "能不能", "可不可以", "是不是", "有没有", "怎么", "怎样", "什么", "为什么", "麻烦", "谢谢",
    "现在", "已经", "还是", "还有", "就是", "一个", "客服", "老板", "帮我", "给我", "东西",
    "什么时候", "怎么样", "行吗", "好吗", "可以吗", "帮忙", "哪里",
)
"""Buyer filler: words that carry little on their own; their pairs weigh FILLER_WEIGHT."""
FILLER_WEIGHT = 0.25
CHARACTER_WEIGHT = 0.5
"""A single Han character of a query weighs this (a pair says more than its characters)."""

_STOP_WORDS = """
a an the and or but if of to in on at by for with from as is are was were be been being am do does did
have has had i me my mine you your yours we our us it its this that these those there here he she they
them his her their what which who whom when where why how can could would should will shall may might must
not no yes so too very just than then also any some all please hi hello hey thanks thank ok okay dear
im ive id dont doesnt didnt cant wont isnt arent wasnt s t d ll m re ve
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_HAN = "\u3400-\u9fff\uf900-\ufaff"
_ASCII_PIECES = re.compile(r"[a-z]+(?:'[a-z]+)?")


@lru_cache(maxsize=1)
def _han_pieces() -> re.Pattern:
    # compiled on the first text with Han characters: the class takes ~1 ms to compile, which an
    # English query's `qr search` need not pay
    return re.compile(rf"[{_HAN}]+|[a-z]+(?:'[a-z]+)?")


def pieces(text: str) -> list[str]:
    """The Han runs and English words of a normalised text, in order."""
    return (_ASCII_PIECES if text.isascii() else _han_pieces()).findall(text)


@lru_cache(maxsize=1)
def _particles() -> re.Pattern:
    return re.compile(f"[{PARTICLES}]+")


def normalise(text: str) -> str:
    """NFKC (full-width letters and punctuation become ASCII), lower case, one line. ASCII text is
    its own NFKC form: unicodedata is imported for the first text that is not."""
    if text.isascii():
        return text.lower()
    return _nfkc()(text).lower()


@lru_cache(maxsize=1)
def _nfkc() -> Callable[[str], str]:
    from unicodedata import normalize

    return partial(normalize, "NFKC")


@lru_cache(maxsize=1)
def _stemmer():
    # the English module runs the package's __init__ first, which imports every language (~12 ms)
    # unless PyStemmer is installed (a dependency for this reason alone: see pyproject.toml)
    from snowballstemmer.english_stemmer import EnglishStemmer

    return EnglishStemmer()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def han_terms(run: str) -> Iterator[str]:
    """Character pairs of a Han run, and its characters (a buyer's 退, 换, 坏 are words)."""
    for piece in _particles().split(run):
        yield from piece
        for position in range(len(piece) - 1):
            yield piece[position : position + 2]


def terms(text: str) -> list[str]:
    """Every term of `text` in order (repeats kept: they count as term frequency)."""
    out: list[str] = []
    for piece in pieces(normalise(text)):
        if piece[0] >= "\u3400":
            out.extend(han_terms(piece))
        else:
            word = piece.replace("'", "")
            if word not in STOP_WORDS and len(word) > 1:
                out.append(stem(word))
    return out


@lru_cache(maxsize=1)
def _filler_terms() -> frozenset[str]:
    return frozenset(term for word in FILLER for term in han_terms(word))


def query_terms(text: str) -> dict[str, float]:
    """The terms of a query with their weights: 1, or FILLER_WEIGHT for buyer filler."""
    filler = _filler_terms()
    weights: dict[str, float] = {}
    for term in terms(text):
        weight = FILLER_WEIGHT if term in filler else CHARACTER_WEIGHT if len(term) == 1 and term >= "\u3400" else 1.0
        if weights.get(term, 0.0) < weight:
            weights[term] = weight
    return weights


def content_counts(text: str) -> tuple[int, int]:
    """How much a text says: (Han characters outside particles, English content words)."""
    han = words = 0
    for piece in pieces(normalise(text)):
        if piece[0] >= "\u3400":
            han += len(_particles().sub("", piece))
        elif piece.replace("'", "") not in STOP_WORDS:
            words += 1
    return han, words


def content_size(text: str) -> int:
    """Han characters outside particles plus two per English content word."""
    han, words = content_counts(text)
    return han + 2 * words
