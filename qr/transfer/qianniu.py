"""Qianniu (千牛) / 旺旺-style quick-phrase sheets, CSV or XLSX: code, phrase, group.

Headers seen: `快捷编码,快捷短语,快捷短语分组` and `快捷短语编码,快捷短语,快捷短语分组` (comma- or, as
Excel's "Unicode text" writes it, tab-separated). A blank
group is 未分组. Some exports escape a newline as `&#13;` and a comma as `&#44;`; Excel leaves
`_x000D_` for a carriage return in a cell.
"""

from __future__ import annotations

import csv
import io
import re

from qr.messages import Message
from qr.transfer.detect import QIANNIU_HEADERS, Source, header_cells
from qr.transfer.entries import Candidate, Notice, Parsed, TransferError, guess_lang, restore_cell

UNGROUPED = "未分组"
MAX_ROWS = 200_000
"""Rows read from a workbook at most (a shop's quick phrases number in the thousands)."""
MAX_COLUMNS = 8
"""Columns read per row: the sheet uses three; a few more are read only to warn they are ignored."""
HEADER = QIANNIU_HEADERS[0]
_NEWLINE = re.compile(r"(?:&#13;&#10;|&#13;|&#10;|_x000D_\n|_x000D_|\r\n|\r)")


def unescape(text: str) -> str:
    return _NEWLINE.sub("\n", text).replace("&#44;", ",")


def parse_qianniu(source: Source) -> Parsed:
    rows = _workbook_rows(source) if source.is_workbook else _csv_rows(source.text)
    rows = [row for row in rows if any(cell.strip() for cell in row[1])] if rows else rows
    if not rows:
        raise TransferError(Message("import.sheet_empty_in", path=str(source.path)))
    header_line, header = rows[0]
    cells = tuple(cell.strip().strip("\ufeff") for cell in header[:3])
    if cells not in QIANNIU_HEADERS:
        shown = ",".join(header[:3])
        raise TransferError(Message("import.qianniu_header", path=str(source.path), line=header_line, expected=",".join(HEADER), found=shown))
    candidates: list[Candidate] = []
    notices: list[Notice] = []
    for line, row in rows[1:]:
        row = list(row) + [""] * (3 - len(row))
        code, phrase, group = (unescape(restore_cell(cell)) for cell in row[:3])
        if any(cell.strip() for cell in row[3:]):
            notices.append(Notice("warning", line, Message("import.extra_cells")))
        if not phrase.strip():
            notices.append(Notice("skipped", line, Message("import.empty_phrase_of", code=code.strip()) if code.strip() else Message("import.empty_phrase")))
            continue
        candidates.append(
            Candidate(
                parts=(phrase.strip("\n"),),
                code=code.strip() or None,
                group=group.strip() or UNGROUPED,
                line=line,
                lang=guess_lang(phrase),
            )
        )
    kind = Message("import.format_qianniu_xlsx" if source.is_workbook else "import.format_qianniu_csv")
    return Parsed(kind, tuple(candidates), tuple(notices))


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    # Excel's "Unicode text" is the same sheet tab-separated (in UTF-16LE, which the decoder handles).
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = "\t" if header_cells(first, "\t")[:3] in QIANNIU_HEADERS else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as error:
        raise TransferError(Message("import.bad_csv", line=reader.line_num, detail=str(error))) from None
    return rows


def _workbook_rows(source: Source) -> list[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook  # ~0.3 s of imports, only for a workbook

    try:
        workbook = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise TransferError(Message("import.bad_workbook", path=str(source.path), detail=type(error).__name__)) from None
    except Exception as error:  # openpyxl raises its own types for damaged parts  # noqa: BLE001
        raise TransferError(Message("import.bad_workbook", path=str(source.path), detail=f"{type(error).__name__}: {error}")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise TransferError(Message("import.no_sheet", path=str(source.path)))
        rows = []
        # read-only mode streams the sheet; the row and column caps keep memory bounded however
        # large the workbook claims to be (a Qianniu sheet has three columns)
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
            if number > MAX_ROWS:
                raise TransferError(Message("import.too_many_rows", path=str(source.path), limit=MAX_ROWS))
            rows.append((number, [_cell(value) for value in values]))
        return rows
    finally:
        workbook.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
