"""One key field of every phrase as one byte string, searched with `find`, and the bloom filters
that let a search skip the groups that cannot contain a word."""

from __future__ import annotations

import zlib
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate, pairwise

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

class CacheDamaged(Exception):
    """Key bytes read from the cache file do not match their checksum: the caller rebuilds
    (`PhraseIndex` does it itself) and the file is deleted."""


SEP = "\x1f"
"""Separates the parts of one phrase's value inside a field (code, tags, group name; pinyin parts)."""
BLOOM_BITS = 8192
BLOOM_BYTES = BLOOM_BITS // 8


# -- blooms ----------------------------------------------------------------------------------------


def _bit(first: str, second: str, kind: int) -> int:
    # stable across processes (str hash is salted) and cheap; kind 2 = a pair, 1 = one character
    return ((ord(first) * 0x9E3779B1) ^ (ord(second) * 0x85EBCA6B) ^ kind) % BLOOM_BITS


def bloom_of(text: str) -> bytes:
    """A bit per distinct character pair (and per character) of `text`'s values and their parts,
    as BLOOM_BITS // 8 bytes (bit b is bit b & 7 of byte b >> 3): bytes, not an int, because the
    cache file stores each field's blooms as one LZ4 block (sparse: ~2% of the bits are set) and
    a search tests them byte by byte; unpickling 2,338 big ints cost ~5 ms of a warm start."""
    # tags, group names and tag pinyin repeat from phrase to phrase: each distinct part once
    # (a word never holds the separators, so pairs across them need no bit)
    # (in the order first met, so the same keys give the same bits in every process: a set's order
    # follows the salted str hash; the pairs across the joins are noise either way: no searched
    # token holds a newline)
    text = "\n".join(dict.fromkeys(text.replace(SEP, "\n").split("\n")))
    bits = bytearray(BLOOM_BITS // 8)
    if text.isascii():  # codes, pinyin, the ASCII copy of bodies: the pairs found at C speed
        for bit in _ascii_bits(text.encode("ascii")):
            bits[bit >> 3] |= 1 << (bit & 7)
        return bytes(bits)
    # `_bit` inlined (this runs for every group of a cold start); zip + set run in C, so the
    # comprehensions see distinct pairs and characters only
    pairs = {((ord(first) * 0x9E3779B1) ^ (ord(second) * 0x85EBCA6B) ^ 2) % BLOOM_BITS for first, second in set(pairwise(text))}
    chars = {((code * 0x9E3779B1) ^ (code * 0x85EBCA6B) ^ 1) % BLOOM_BITS for code in map(ord, set(text))}
    for bit in pairs | chars:
        bits[bit >> 3] |= 1 << (bit & 7)
    return bytes(bits)


@lru_cache(maxsize=1)
def _ascii_pair_table() -> list[int]:
    """`_bit` of every pair of ASCII characters, indexed by first | second << 8 (and of each
    character alone, indexed by 0x10000 + code)."""
    table = [0] * (0x10000 + 128)
    for first in range(128):
        for second in range(128):
            table[first | second << 8] = ((first * 0x9E3779B1) ^ (second * 0x85EBCA6B) ^ 2) % BLOOM_BITS
        table[0x10000 + first] = ((first * 0x9E3779B1) ^ (first * 0x85EBCA6B) ^ 1) % BLOOM_BITS
    return table


def _ascii_bits(data: bytes) -> set[int]:
    """The bloom bits of an ASCII text: its adjacent byte pairs read as 16-bit numbers from the
    even and the odd offsets (two C-speed passes give every pair), then looked up."""
    import sys
    from array import array

    table = _ascii_pair_table()
    even = array("H", data[: len(data) & ~1])
    odd = array("H", data[1 : 1 + ((len(data) - 1) & ~1)])
    if sys.byteorder == "big":  # read as first | second << 8 everywhere
        even.byteswap()
        odd.byteswap()
    pairs = set(even)
    pairs.update(odd)
    bits = {table[pair] for pair in pairs}
    bits.update(table[0x10000 + code] for code in set(data))
    return bits


def _bit_positions(token: str) -> set[int]:
    """The positions of `bloom_bits(token)`."""
    if len(token) == 1:
        return {_bit(token, token, 1)}
    return {_bit(first, second, 2) for first, second in pairwise(token)}


def bloom_bits(token: str) -> int:
    """The bits a group's bloom must have to possibly contain `token`."""
    wanted = 0
    if len(token) == 1:
        return 1 << _bit(token, token, 1)
    for first, second in pairwise(token):
        wanted |= 1 << _bit(first, second, 2)
    return wanted


# -- one field of every phrase -------------------------------------------------------------------


class FieldLayout:
    """One key field already laid out in a buffer (the cache file's mmap): the groups' absolute
    offsets in it, then the offset of the newline that ends the last group. (A plain class: a
    warm `qr search` imports no typing for a NamedTuple, and a dataclass costs ~0.6 ms to define.)"""

    __slots__ = ("buffer", "offsets")

    def __init__(self, buffer: Any, offsets: list[int]) -> None:
        self.buffer = buffer
        self.offsets = offsets


class KeyField:
    """One key field of every phrase: UTF-8 bytes (in memory, or the mmap of the cache file),
    searched with `find` at C speed. Group g occupies [offsets[g], offsets[g + 1]); a newline
    follows the last group. Values are decoded per group, on first use.

    Bytes that come from the cache file carry a CRC per group (`checksums`): each group is checked
    the first time anything reads it (a scan, a value), so a warm start reads no byte it does not
    use and uses no byte it has not checked. A mismatch raises CacheDamaged."""

    def __init__(self, buffer, offsets: list[int], firsts: Sequence[int], counts: Sequence[int],
                 blooms: Sequence[bytes] | None = None, checksums: Sequence[int | None] | None = None) -> None:
        self.buffer = buffer
        self.offsets = offsets
        self.end = offsets[-1] + 1
        self.firsts = firsts
        self.counts = counts
        self.blooms = blooms
        self.checksums = checksums if checksums is not None and any(crc is not None for crc in checksums) else None
        self._checked = bytearray(len(counts)) if self.checksums is not None else None
        self._values: dict[int, list[str]] = {}
        self._starts: dict[int, list[int]] = {}
        self._bit_groups: dict[int, int] = {}

    @classmethod
    def joined(cls, parts: Sequence, firsts: Sequence[int], counts: Sequence[int],
               blooms: Sequence[bytes] | None = None, checksums: Sequence[int | None] | None = None) -> KeyField:
        buffer = b"".join(parts) + b"\n"
        return cls(buffer, list(accumulate(map(len, parts), initial=0)), firsts, counts, blooms, checksums)

    def check(self, group: int) -> None:
        """Raise CacheDamaged unless the group's bytes match their checksum (once per group)."""
        checked = self._checked
        if checked is None or checked[group]:
            return
        assert self.checksums is not None  # checking is on only with checksums
        expected = self.checksums[group]
        if expected is not None:
            low, high = self.offsets[group], self.offsets[group + 1]
            if zlib.crc32(memoryview(self.buffer)[low:high]) != expected:
                raise CacheDamaged(f"key bytes of group {group} fail their checksum")
            if high > low and self.buffer[low] != 0x0A:  # each value starts with a newline (not checked at load)
                raise CacheDamaged(f"key bytes of group {group} do not start with a newline")
        checked[group] = 1

    def check_all(self) -> None:
        if self._checked is not None:
            for group in range(len(self.counts)):
                self.check(group)

    def _part(self, group: int) -> bytes:
        low, high = self.offsets[group], self.offsets[group + 1]
        return self.buffer[low + 1 : high] if high > low else b""

    def values(self, group: int) -> list[str]:
        """The values of one group's phrases (decoded on first use)."""
        values = self._values.get(group)
        if values is None:
            self.check(group)
            count = self.counts[group]
            values = self._part(group).decode("utf-8", "replace").split("\n") if count else []
            if len(values) != count:  # only a cache written wrong can get here: never misplace hits
                raise CacheDamaged(f"group {group} has {len(values)} values for {count} phrases")
            self._values[group] = values
        return values

    def _group_starts(self, group: int) -> list[int]:
        starts = self._starts.get(group)
        if starts is None:
            self.check(group)
            pieces = self._part(group).split(b"\n") if self.counts[group] else []
            starts = self._starts[group] = list(accumulate((len(piece) + 1 for piece in pieces), initial=0))
        return starts

    def ids(self, needle: str, token: str | None = None) -> Iterable[int]:
        """Indexes of the phrases whose value contains `needle`, ascending, one per phrase.

        Only groups whose bloom filter has every character pair of `token` (the needle without
        its newline markers) are scanned: a typo costs almost nothing instead of a full pass.
        """
        find, offsets, firsts = self.buffer.find, self.offsets, self.firsts
        encoded = needle.encode("utf-8", "surrogatepass")
        for low, high in self._ranges(token if token is not None else needle):
            position = find(encoded, low, high)
            while position != -1:
                group = bisect_right(offsets, position) - 1
                base = offsets[group]
                starts = self._group_starts(group)
                k = bisect_right(starts, position - base) - 1
                if k >= self.counts[group]:
                    raise CacheDamaged(f"group {group} has more values than phrases")
                yield firsts[group] + k
                position = find(encoded, base + starts[k + 1], high)

    def ids_among(self, needle: str, candidates: Iterable[int]) -> Iterable[int]:
        """The `candidates` (ascending phrase indexes) whose value contains `needle`: a `find` in
        each one's own bytes instead of a pass over the field (for a word a posting list names)."""
        find, offsets, firsts = self.buffer.find, self.offsets, self.firsts
        encoded = needle.encode("utf-8", "surrogatepass")
        for found in candidates:
            group = bisect_right(firsts, found) - 1
            k = found - firsts[group]
            starts = self._group_starts(group)
            if k + 1 >= len(starts):
                raise CacheDamaged(f"group {group} has fewer values than phrases")
            base = offsets[group]
            if find(encoded, base + starts[k], base + starts[k + 1] + 1) != -1:  # with the newlines around it
                yield found

    def _groups_with_bit(self, bit: int) -> int:
        """The groups whose bloom filter has `bit`, as a bit set (bit g = group g), remembered:
        testing a word against every group's 8,192-bit filter cost ~0.3 ms per field and word at
        100,000 phrases (334 groups); a word's few bits are mostly known from the last keystroke."""
        found = self._bit_groups.get(bit)
        if found is None:
            assert self.blooms is not None
            byte, mask = bit >> 3, 1 << (bit & 7)
            found = sum(1 << group for group, bloom in enumerate(self.blooms) if bloom[byte] & mask)
            self._bit_groups[bit] = found
        return found

    def groups_for(self, token: str) -> int:
        """The groups whose bloom filter allows `token`, as a bit set (bit g = group g); every
        group when the field has no filters."""
        groups = (1 << len(self.counts)) - 1
        if self.blooms is not None:
            for bit in _bit_positions(token):
                groups &= self._groups_with_bit(bit)
        return groups

    def _ranges(self, token: str) -> list[tuple[int, int]]:
        """Byte ranges (whole groups, neighbours merged) that may contain `token`."""
        offsets, end = self.offsets, self.end
        if self.blooms is None:
            self.check_all()
            return [(offsets[0], end)]
        groups = self.groups_for(token)
        ranges: list[tuple[int, int]] = []
        checked = self._checked
        while groups > 0:
            lowest = groups & -groups
            group = lowest.bit_length() - 1
            groups ^= lowest
            if checked is not None and not checked[group]:
                self.check(group)
            low, high = offsets[group], min(offsets[group + 1] + 1, end)
            if ranges and ranges[-1][1] >= low:
                ranges[-1] = (ranges[-1][0], high)
            else:
                ranges.append((low, high))
        return ranges
