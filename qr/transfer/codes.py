"""Codes and file names for imported phrases: qr codes are ASCII letters, digits, `-`, `_`, `.`.

A Chinese code becomes its pinyin (`物流` -> `wuliu`), fullwidth letters their ASCII form, spaces
a `-`; whatever is left that qr cannot type is dropped. Pinyin is loaded only when a code needs it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from qr.store.models import is_valid_code, normalise_code

_INVALID = re.compile(r"[^a-z0-9._-]+")
_DASHES = re.compile(r"-{2,}")


@lru_cache(maxsize=1)
def _tables():
    from qr.index.pinyin import PinyinTables

    return PinyinTables()


def ascii_code(raw: str) -> str:
    """The closest valid qr code to `raw`, or "" when nothing of it can be typed."""
    code = normalise_code(raw)
    if is_valid_code(code):
        return code
    code = unicodedata.normalize("NFKC", code).lower()
    from qr.index.pinyin import has_han

    if has_han(code):
        code = _tables().full_pinyin(code)
    code = re.sub(r"\s+", "-", code.strip())
    code = _DASHES.sub("-", _INVALID.sub("", code)).strip("-.")
    return code if is_valid_code(code) else ""


_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[a-z]+|[0-9]+")


def initials_code(text: str, limit: int = 8) -> str:
    """A code made from a phrase's text when its own code has nothing typable: one letter per Han
    character or word (`只有符号的编码` -> `zyfhdbm`, `Thank you 2` -> `ty2`), at most `limit` long."""
    text = unicodedata.normalize("NFKC", text).lower()
    letters = []
    for token in _TOKEN.findall(text):
        if token.isdigit():
            letters.append(token)
        elif token.isascii():
            letters.append(token[0])
        else:
            letters.append(_tables().initials_of(token))
    code = "".join(letters)[:limit]
    return code if is_valid_code(code) else ""


def slug(name: str, fallback: str = "imported") -> str:
    """A file name stem for a group name: ASCII, lower case, words joined by `-`."""
    text = unicodedata.normalize("NFKC", name).lower()
    from qr.index.pinyin import has_han

    if has_han(text):
        text = _tables().full_pinyin(text)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:48].strip("-") or fallback
