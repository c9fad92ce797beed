"""Writing a library (or a group, or a category) out for the platforms' own quick-phrase tools.

Platform formats carry text, not templates: each body is rendered with the library's defaults
(`{customer|亲}` -> 亲, `[vars.X].default`, the shop); a variable with no value stays `{name}` and
is listed in a warning. In Sogou files `{today}`, `{now}` and `{weekday}` become Sogou's own time
expressions. The `csv` format is qr's own sheet and keeps templates as written (lossless).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from qr.messages import Message
from qr.render import TemplateError, library_defaults, render
from qr.store.models import Group, Library, Phrase
from qr.store.save import atomic_write
from qr.transfer.detect import GENERIC_COLUMNS
from qr.transfer.entries import TransferError, neutralise_cell
from qr.transfer.formats import EXPORT_FORMATS
from qr.transfer.generic_csv import TAG_SEPARATOR
from qr.transfer.qianniu import HEADER
from qr.transfer.sogou import EXACT

# Stand-ins for the time built-ins while rendering a Sogou file; private-use characters never occur in phrases.
_SOGOU_TIME = {"today": "\ue000", "now": "\ue001", "weekday": "\ue002"}
_SOGOU_ENTRY = re.compile(r"^[^\s,=;]+,\d+=")


@dataclass(frozen=True)
class ExportResult:
    count: int
    warnings: tuple[Message, ...]


def select(library: Library, group: str | None = None, category: str | None = None) -> list[tuple[Group, Phrase]]:
    """Phrases in library order, limited to a group (name, file or file stem) and/or a category."""
    if group and not any(group in (g.name, str(g.path), g.path.stem) for g in library.groups):
        names = ", ".join(sorted({g.name for g in library.groups}))
        raise TransferError(Message("export.no_group", group=group, library=str(library.root), names=names))
    if category and not any(g.category == category for g in library.groups):
        names = ", ".join(sorted({g.category for g in library.groups}))
        raise TransferError(Message("export.no_category", category=category, library=str(library.root), names=names))
    rows = []
    for g, phrase in library.phrases():
        if group and group not in (g.name, str(g.path), g.path.stem):
            continue
        if category and g.category != category:
            continue
        rows.append((g, phrase))
    if not rows:
        raise TransferError(Message("export.nothing"))
    return rows


def export_phrases(library: Library, rows: list[tuple[Group, Phrase]], fmt: str, out: Path, *, shop: str = "") -> ExportResult:
    if fmt not in EXPORT_FORMATS:
        raise TransferError(Message("export.no_such_format", format=fmt, formats=", ".join(EXPORT_FORMATS)))
    if out.exists() and out.is_dir():
        raise TransferError(Message("export.out_is_folder", path=str(out)))
    warnings: list[Message] = []
    if fmt == "csv":
        data, count = _generic_csv(rows), len(rows)
    else:
        texts = _rendered(library, rows, fmt, shop, warnings)
        if fmt == "qianniu-csv":
            data, count = _qianniu_csv(texts), len(texts)
        elif fmt == "qianniu-xlsx":
            data, count = _qianniu_xlsx(texts), len(texts)
        else:
            data, count = _sogou(texts, warnings)
    try:
        atomic_write(out, data)
    except OSError as error:
        raise TransferError(Message("export.cannot_write", path=str(out), reason=error.strerror or str(error))) from None
    return ExportResult(count=count, warnings=tuple(warnings))


def _rendered(library: Library, rows, fmt: str, shop: str, warnings: list[Message]) -> list[tuple[Group, Phrase, str]]:
    defaults = library_defaults(library)
    if shop or library.shop:
        defaults.setdefault("shop", shop or library.shop)
    missing: dict[str, int] = {}
    broken: list[str] = []
    texts = []
    for group, phrase in rows:
        builtins = dict(_SOGOU_TIME) if fmt == "sogou" else {}
        if fmt == "sogou" and phrase.lang.split("-")[0] != "zh":
            builtins.pop("weekday")  # Sogou's weekday is Chinese only
        try:
            rendered = render(phrase.body, {}, defaults=defaults, builtins=builtins)
        except TemplateError as error:
            broken.append(f"/{phrase.code or phrase.title} ({error})")
            continue
        for name in rendered.missing:
            missing[name] = missing.get(name, 0) + 1
        texts.append((group, phrase, rendered.text.strip("\n")))
    if broken:
        warnings.append(Message("export.broken_left_out", count=len(broken), names=", ".join(broken[:5])))
    if missing:
        listed = ", ".join(f"{{{name}}} ({count})" for name, count in sorted(missing.items(), key=lambda item: -item[1]))
        warnings.append(Message("export.no_default", listed=listed))
    return texts


def qianniu_escape(text: str) -> str:
    """Newlines and commas the way the platform's own exports write them."""
    return text.replace("\n", "&#13;").replace(",", "&#44;")


def _qianniu_csv(texts) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for group, phrase, text in texts:
        writer.writerow([neutralise_cell(cell) for cell in (phrase.code or "", qianniu_escape(text), qianniu_escape(group.name))])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _qianniu_xlsx(texts) -> bytes:
    from openpyxl import Workbook  # ~0.3 s of imports, only for a workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("快捷短语")

    def cell(value: str):
        item = WriteOnlyCell(sheet, value=neutralise_cell(ILLEGAL_CHARACTERS_RE.sub("", value)))
        item.data_type = "s"  # text, never a formula (and the `'` keeps it so when saved again as CSV)
        return item

    sheet.append([cell(name) for name in HEADER])
    for group, phrase, text in texts:
        sheet.append([cell(phrase.code or ""), cell(text), cell(group.name)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sogou(texts, warnings: list[Message]) -> tuple[bytes, int]:
    count = 0
    lines = ["; qr export: Sogou custom phrases (PhraseEdit.txt): code,position=phrase"]
    uncoded = 0
    untypable: list[str] = []
    risky: list[str] = []
    kept_time = 0
    for _, phrase, text in texts:
        if not phrase.code:
            uncoded += 1
            continue
        count += 1
        if any(mark in text for mark in _SOGOU_TIME.values()):
            if "\n" in text or text.startswith("#"):
                kept_time += 1
                for name, mark in _SOGOU_TIME.items():
                    text = text.replace(mark, "{" + name + "}")
            else:
                for name, mark in _SOGOU_TIME.items():
                    text = text.replace(mark, EXACT[name])
                text = "#" + text
        elif text.startswith("#"):
            risky.append(phrase.code)
        if not re.fullmatch(r"[a-z]+", phrase.code):
            untypable.append(phrase.code)
        if "\n" in text:
            body = text.split("\n")
            if any(_SOGOU_ENTRY.match(line) or line.startswith(";") for line in body):
                risky.append(phrase.code)
            lines.append(f"{phrase.code},1=")
            lines.extend(body)
        else:
            lines.append(f"{phrase.code},1={text}")
    if uncoded:
        warnings.append(Message("export.sogou_uncoded", count=uncoded))
    if kept_time:
        warnings.append(Message("export.sogou_time_kept", count=kept_time))
    if untypable:
        warnings.append(Message("export.sogou_untypable", count=len(untypable), codes=", ".join(untypable[:5])))
    if risky:
        warnings.append(Message("export.sogou_risky", count=len(risky), codes=", ".join(risky[:5])))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-16-le"), count


def _generic_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(GENERIC_COLUMNS)
    for group, phrase in rows:
        writer.writerow(
            neutralise_cell(cell)
            for cell in (
                phrase.code or "",
                phrase.title,
                group.name,
                group.category,
                phrase.body,
                TAG_SEPARATOR.join(phrase.tags),
                phrase.note,
                phrase.lang,
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
