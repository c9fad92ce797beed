"""qr's own sheet: `code,title,group,category,body,tags,note,lang`, bodies as templates, tags split by `;`.

Written by `qr export --format csv` and easy to fill in a spreadsheet; only `body` is required.
"""

from __future__ import annotations

import csv
import io

from qr.messages import Message
from qr.render import check
from qr.transfer.detect import GENERIC_COLUMNS
from qr.transfer.entries import Candidate, Notice, Parsed, TransferError, guess_lang, restore_cell

TAG_SEPARATOR = ";"


def parse_generic_csv(text: str) -> Parsed:
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise TransferError(Message("import.bad_csv", line=reader.line_num, detail=str(error))) from None
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise TransferError(Message("import.sheet_empty"))
    header_line, header = rows[0]
    columns = [cell.strip().strip("\ufeff").lower() for cell in header]
    if "body" not in columns:
        raise TransferError(Message("import.csv_header", line=header_line, columns=",".join(GENERIC_COLUMNS)))
    unknown = [name for name in columns if name and name not in GENERIC_COLUMNS]
    notices = [Notice("warning", header_line, Message("import.column_ignored", name=name)) for name in unknown]
    candidates: list[Candidate] = []
    for line, row in rows[1:]:
        cells = {name: (restore_cell(row[index]) if index < len(row) else "") for index, name in enumerate(columns)}
        body = cells.get("body", "")
        code = cells.get("code", "").strip()
        if not body.strip():
            notices.append(Notice("skipped", line, Message("import.empty_body_of", code=code) if code else Message("import.empty_body")))
            continue
        template: str | None = body
        problem = check(body)
        if problem is not None:
            template = None
            notices.append(Notice("warning", line, Message("import.plain_text", code=code, problem=problem)))
        candidates.append(
            Candidate(
                parts=(body,),
                template=template,
                code=code or None,
                title=cells.get("title", "").strip(),
                group=cells.get("group", "").strip(),
                category=cells.get("category", "").strip(),
                tags=tuple(tag.strip() for tag in cells.get("tags", "").split(TAG_SEPARATOR) if tag.strip()),
                note=cells.get("note", ""),
                lang=cells.get("lang", "").strip() or guess_lang(body),
                line=line,
            )
        )
    return Parsed(Message("import.format_qr_csv"), tuple(candidates), tuple(notices))
