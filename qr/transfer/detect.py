"""Reading an import file: its encoding and its format are told from the content, not the name.

Input methods on Windows write UTF-16 (with or without a BOM), spreadsheets write UTF-8 with a
BOM or GB18030, and the 手心 table is UTF-16LE without a BOM, so the encoding is sniffed: BOM
first, then the pattern of NUL bytes that UTF-16 gives ASCII text, then strict UTF-8, then GB18030.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from qr.messages import Message
from qr.transfer.entries import TransferError
from qr.transfer.formats import IMPORT_FORMATS

QIANNIU_HEADERS = (("快捷编码", "快捷短语", "快捷短语分组"), ("快捷短语编码", "快捷短语", "快捷短语分组"))
GENERIC_COLUMNS = ("code", "title", "group", "category", "body", "tags", "note", "lang")

_ZIP_MAGIC = b"PK\x03\x04"
_SOGOU_LINE = re.compile(r"^[^\s,=;]+,\d+=")
_SHOUXIN_LINE = re.compile(r"^[^\s,=;]+=\d+,")
_MOBILE_LINE = re.compile(r"^[^\s,=]+,.+,\d+$")
_RIME_LINE = re.compile(r"^[^\t#][^\t]*\t[^\t]+(\t\s*-?\d+(\.\d+)?\s*)?$")
_ESPANSO_KEY = re.compile(r"^(matches|global_vars|imports)\s*:", re.MULTILINE)


@dataclass(frozen=True)
class Source:
    """An import file read into memory: decoded text, or the raw bytes of a workbook."""

    path: Path
    data: bytes
    text: str
    encoding: Message
    """Shown in the summary: `UTF-8`, `UTF-16LE with BOM`, `XLSX workbook`… (worded when shown)."""

    @property
    def is_workbook(self) -> bool:
        return self.encoding == WORKBOOK


MAX_IMPORT_BYTES = 64 * 1_048_576
"""An import file larger than this is refused (a 45,000-entry input-method table is ~2 MB)."""


def read_source(path: Path) -> Source:
    from qr.store.load import UnsafeFile, read_regular

    if path.is_dir():
        raise TransferError(Message("import.is_folder", path=str(path)))
    try:
        data, _ = read_regular(path, MAX_IMPORT_BYTES)  # never a FIFO or a device: they would hang
    except UnsafeFile as error:
        raise TransferError(Message("import.in_file", path=str(path), error=error.message)) from None
    except OSError as error:
        raise TransferError(Message("import.cannot_read", path=str(path), reason=error.strerror or str(error))) from None
    if data.startswith(_ZIP_MAGIC):
        return Source(path, data, "", WORKBOOK)
    text, encoding = decode(data, path)
    return Source(path, data, text, encoding)


WORKBOOK = Message("import.encoding_workbook")


def decode(data: bytes, path: Path | str) -> tuple[str, Message]:
    """The text of a file and a label for its encoding; CRLF and CR become LF."""
    if not data.strip(b"\x00 \t\r\n\xef\xbb\xbf\xff\xfe"):
        raise TransferError(Message("import.empty", path=str(path)))
    attempts: list[tuple[str, Message, bytes]] = []
    if data.startswith(b"\xef\xbb\xbf"):
        attempts.append(("utf-8", Message("import.encoding_bom", codec="UTF-8"), data[3:]))
    elif data.startswith(b"\xff\xfe"):
        attempts.append(("utf-16-le", Message("import.encoding_bom", codec="UTF-16LE"), data[2:]))
    elif data.startswith(b"\xfe\xff"):
        attempts.append(("utf-16-be", Message("import.encoding_bom", codec="UTF-16BE"), data[2:]))
    else:
        utf16 = _utf16_without_bom(data)
        if utf16:
            codec = {"utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE"}[utf16]
            attempts.append((utf16, Message("import.encoding_no_bom", codec=codec), data))
        else:
            attempts.append(("utf-8", Message("import.encoding", codec="UTF-8"), data))
            attempts.append(("gb18030", Message("import.encoding", codec="GB18030"), data))
    for codec, label, payload in attempts:
        if codec.startswith("utf-16") and len(payload) % 2:
            raise TransferError(Message("import.truncated_utf16", path=str(path)))
        try:
            text = payload.decode(codec)
        except UnicodeDecodeError as error:
            if codec.startswith("utf-16") or codec == "gb18030" or len(attempts) == 1:
                line = payload[: error.start].count(b"\n") + 1
                raise TransferError(Message("import.undecodable", path=str(path), line=line, encoding=label)) from None
            continue
        text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
        _refuse_binary(text, path)
        if not text.strip():
            raise TransferError(Message("import.empty", path=str(path)))
        return text, label
    raise TransferError(Message("import.not_text", path=str(path)))


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 written without a BOM shows as NUL bytes on one side of ASCII characters."""
    sample = data[:8192]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    # Line ends, digits and commas alone give a mostly-Chinese sheet a few percent of NULs on one side;
    # binary data has them on both sides, UTF-8 text has none.
    if odd_nul >= 0.04 and even_nul < 0.005:
        return "utf-16-le"
    if even_nul >= 0.04 and odd_nul < 0.005:
        return "utf-16-be"
    return None


def _refuse_binary(text: str, path: Path | str) -> None:
    """Decoding can succeed on junk; control characters and replacement marks give it away."""
    sample = text[:20000]
    bad = sum(
        1
        for char in sample
        if (char not in "\t\n" and unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn")) or char == "\ufffd"
    )
    if bad and (bad > len(sample) / 100 or "\x00" in sample):
        raise TransferError(Message("import.binary", path=str(path)))


def sniff_format(source: Source) -> str:
    """One of IMPORT_FORMATS, from the content (the file name only breaks a tie for YAML)."""
    if source.is_workbook:
        return "qianniu"
    text = source.text
    if source.path.suffix.lower() in (".yml", ".yaml"):
        return "espanso"
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        raise TransferError(Message("import.empty", path=str(source.path)))
    header = header_cells(lines[0])
    if header[:3] in QIANNIU_HEADERS or header_cells(lines[0], "\t")[:3] in QIANNIU_HEADERS:
        return "qianniu"
    if "body" in header and ({"code", "title"} & set(header)):
        return "csv"
    counts = {"sogou": 0, "rime": 0}
    for line in lines[:2000]:
        if line.startswith(";"):
            continue
        if _SOGOU_LINE.match(line) or _SHOUXIN_LINE.match(line) or _MOBILE_LINE.match(line):
            counts["sogou"] += 1
        elif _RIME_LINE.match(line):
            counts["rime"] += 1
    best = max(counts, key=lambda name: counts[name])
    if counts[best]:
        return best
    # Checked last: a line `matches:` can sit inside a multi-line Sogou phrase.
    if _ESPANSO_KEY.search(text):
        return "espanso"
    raise TransferError(Message("import.unknown_format", path=str(source.path), formats="|".join(IMPORT_FORMATS)))


def header_cells(line: str, delimiter: str = ",") -> tuple[str, ...]:
    import csv

    row = next(csv.reader([line], delimiter=delimiter), [])
    return tuple(cell.strip().strip("\ufeff").lower() for cell in row)
