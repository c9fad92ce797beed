"""Live-stream days: a run sheet (one product a row, in selling order) becomes that day's group of
phrases, valid on that date only, and "now selling" remembers which product the stream is on.

The day's group is `live/YYYY-MM-DD.toml` (the folder is `[live].folder` of `_library.toml`) with a
sidecar `live/YYYY-MM-DD.json` holding the sheet's rows, which `qr live status` and the launcher's
"now selling" read. Run sheets hold products, prices and offers, never customers' data.
No Textual here: the CLI and the launcher both call this module.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qr.messages import Message, MessageError
from qr.render import Placeholder, TemplateError, parse
from qr.store.models import Group, Library, Phrase

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

COLUMNS: dict[str, str] = {
    "顺序": "position", "序号": "position", "order": "position", "position": "position", "no": "position",
    "商品": "product", "商品名称": "product", "品名": "product", "product": "product", "item": "product",
    "价格": "price", "直播价": "price", "price": "price",
    "优惠": "offer", "活动": "offer", "offer": "offer", "discount": "offer",
    "赠品": "gift", "gift": "gift",
    "拍一发多": "bundle", "bundle": "bundle",
    "库存": "stock", "stock": "stock",
    "备注": "note", "note": "note", "notes": "note",
}
"""Run-sheet headers (lower-cased, spaces removed) -> the variable a template uses."""
KNOWN = ("position", "product", "price", "offer", "gift", "bundle", "stock", "note")
DAY_VARIABLES = ("n", "date")
"""Filled in for every product: its position in selling order, and the day."""
_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")  # what qr's own exports put before such a cell


class SheetError(MessageError):
    """A run sheet that cannot be used; nothing was written."""


@dataclass(frozen=True)
class Product:
    """One row of the run sheet: its place in selling order and its values by variable name."""

    position: int
    values: Mapping[str, str]

    @property
    def name(self) -> str:
        return self.values.get("product", "")


@dataclass(frozen=True)
class LiveTemplate:
    """One phrase made for every product (`[[live.templates]]` in `_library.toml`)."""

    code: str
    """Code pattern: `{n}` is the product's position (`l{n}` -> l1, l2 …); the day is appended."""
    title: str
    body: str
    note: str = ""
    tags: tuple[str, ...] = ()
    asks: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveSettings:
    """`[live]` of `_library.toml`."""

    templates: tuple[LiveTemplate, ...]
    group: str = "直播 {date}"
    category: str = "直播"
    folder: str = "live"
    order: int = 79


@dataclass(frozen=True)
class LiveDay:
    """An imported day: its date, its products in selling order and where its files are."""

    day: date
    products: tuple[Product, ...]
    group_path: Path
    """Relative to the library root."""
    sheet: str = ""
    codes: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """Position -> the codes of the phrases made for that product."""

    def product(self, position: int) -> Product | None:
        return next((product for product in self.products if product.position == position), None)


# -- reading a run sheet ---------------------------------------------------------------------------


def read_sheet(path: Path) -> tuple[Product, ...]:
    """The products of a CSV or XLSX run sheet, in selling order. Raises SheetError."""
    rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)
    rows = [[_cell(value) for value in row] for row in rows]
    numbered = [(number, row) for number, row in enumerate(rows, 1) if any(row)]
    if not numbered:
        raise SheetError(Message("live.sheet_empty", file=path.name))
    header_row, header = numbered[0]
    names = _column_names(header)
    if "product" not in names:
        raise SheetError(Message("live.no_product_column", file=path.name, row=header_row))
    products: list[Product] = []
    taken: set[int] = set()
    for number, row in numbered[1:]:
        values = {name: row[column].strip() for column, name in enumerate(names) if name and column < len(row) and row[column].strip()}
        if not values.get("product"):
            raise SheetError(Message("live.row_without_product", file=path.name, row=number))
        position = len(products) + 1
        if values.get("position"):
            try:
                position = int(float(values["position"]))
            except ValueError:
                raise SheetError(Message("live.bad_position", file=path.name, row=number, value=values["position"])) from None
        if position in taken or position < 1:
            raise SheetError(Message("live.bad_position", file=path.name, row=number, value=str(position)))
        taken.add(position)
        values.pop("position", None)
        products.append(Product(position, values))
    if not products:
        raise SheetError(Message("live.sheet_empty", file=path.name))
    return tuple(sorted(products, key=lambda product: product.position))


def _column_names(header: Sequence[str]) -> list[str]:
    """A variable name for every column: the known ones by COLUMNS, any other as written (a valid
    identifier: `{颜色}` works in a template), '' for a blank header."""
    names = []
    for cell in header:
        key = re.sub(r"\s+", "", cell).lower()
        if key in COLUMNS:
            names.append(COLUMNS[key])
            continue
        name = re.sub(r"\W+", "_", cell.strip()).strip("_")
        names.append(("c_" + name if name[:1].isdigit() else name) if name else "")
    return names


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SheetError(Message("live.unreadable", file=path.name, reason=error.strerror or str(error))) from None
    for encoding in ("utf-8-sig", "gb18030"):  # sheets saved by Excel in China are often GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError(Message("live.unreadable", file=path.name, reason="not UTF-8 or GBK text"))
    return list(csv.reader(text.splitlines()))


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # here: only an XLSX import needs it

    try:
        book = load_workbook(path, read_only=True, data_only=True)  # data_only: values, never formulas
    except Exception as error:  # noqa: BLE001 (openpyxl raises many kinds for a file that is not a workbook)
        raise SheetError(Message("live.unreadable", file=path.name, reason=str(error) or type(error).__name__)) from None
    try:
        sheet = book.worksheets[0]
        return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _FORMULA_GUARD.sub("", text)


# -- templates -------------------------------------------------------------------------------------


def live_settings(library: Library) -> LiveSettings:
    """The library's `[live]`, else the bundled library's (a library made before live days existed)."""
    raw = library.extra.get("live")
    if not isinstance(raw, dict) or not raw.get("templates"):
        from qr.config import bundled_library
        from qr.store.load import LIBRARY_FILE, read_toml

        document, _, _ = read_toml(bundled_library() / LIBRARY_FILE, Path(LIBRARY_FILE))
        raw = document.get("live", {})
    return parse_live_settings(raw)


def parse_live_settings(raw: Mapping[str, Any]) -> LiveSettings:
    """`[live]` as values; a template that is not usable is a SheetError naming it."""
    templates = []
    for number, item in enumerate(raw.get("templates", []), 1):
        if not isinstance(item, dict) or not all(isinstance(item.get(key), str) and item[key].strip() for key in ("code", "title", "body")):
            raise SheetError(Message("live.bad_template", number=number))
        templates.append(
            LiveTemplate(
                code=item["code"].strip(),
                title=item["title"].strip(),
                body=item["body"],
                note=str(item.get("note", "")),
                tags=tuple(str(tag) for tag in item.get("tags", []) if str(tag).strip()),
                asks=tuple(str(ask) for ask in item.get("asks", []) if str(ask).strip()),
            )
        )
    default = LiveSettings(templates=())

    def text(key: str, fallback: str) -> str:
        value = raw.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else fallback

    order = raw.get("order")
    return LiveSettings(
        templates=tuple(templates),
        group=text("group", default.group),
        category=text("category", default.category),
        folder=text("folder", default.folder),
        order=order if isinstance(order, int) and not isinstance(order, bool) else default.order,
    )


def fill(template: str, values: Mapping[str, str], sheet_names: Iterable[str]) -> str | None:
    """`template` with the sheet's variables replaced by the row's values (written literally: a
    value's braces are escaped), other placeholders kept; None when a sheet variable the template
    uses has no value in this row and no fallback (that phrase is not made for this product)."""
    sheet_names = set(sheet_names)
    out = []
    for part in parse(template):
        if isinstance(part, str):
            out.append(_escape(part))
        elif part.name in sheet_names:
            value = values.get(part.name) or part.fallback
            if not value:
                return None
            out.append(_escape(value))
        else:
            out.append(_placeholder(part))
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _placeholder(part: Placeholder) -> str:
    return "{" + part.name + ("" if part.fallback is None else "|" + part.fallback) + "}"


def _plain(title: str) -> str:
    """A filled title shown as text: braces unescaped (a title is never rendered)."""
    return title.replace("{{", "{").replace("}}", "}")


def day_phrases(products: Sequence[Product], settings: LiveSettings, day: date) -> tuple[tuple[Phrase, ...], dict[int, tuple[str, ...]]]:
    """The day's phrases, product by product in selling order, and each product's codes."""
    sheet_names = {*KNOWN, *DAY_VARIABLES, *(name for product in products for name in product.values)}
    phrases: list[Phrase] = []
    codes: dict[int, tuple[str, ...]] = {}
    suffix = f"-{day:%m%d}"
    for product in products:
        values = {**product.values, "n": str(product.position), "date": day.isoformat()}
        made = []
        for template in settings.templates:
            try:
                title = fill(template.title, values, sheet_names)
                body = fill(template.body, values, sheet_names)
            except TemplateError as error:
                raise SheetError(Message("live.template_syntax", code=template.code, error=str(error))) from None
            if title is None or body is None:
                continue
            code = template.code.replace("{n}", str(product.position)).lower() + suffix
            made.append(code)
            phrases.append(
                Phrase(
                    title=" ".join(_plain(title).split()),
                    body=body,
                    code=code,
                    tags=("直播", *template.tags),
                    asks=tuple(ask.replace("{product}", product.name) for ask in template.asks),
                    note=template.note,
                    valid_from=day,
                    valid_until=day,
                )
            )
        codes[product.position] = tuple(made)
    return tuple(phrases), codes


def day_group(library: Library, products: Sequence[Product], day: date, *, sheet: str = "") -> tuple[Group, LiveDay]:
    """The group for `day` (not saved) and the day's record."""
    settings = live_settings(library)
    phrases, codes = day_phrases(products, settings, day)
    path = Path(settings.folder) / f"{day.isoformat()}.toml"
    names = "、".join(product.name for product in products)
    group = Group(
        path=path,
        name=settings.group.replace("{date}", day.isoformat()),
        phrases=phrases,
        category=settings.category,
        order=settings.order,
        description=f"{sheet}：{names}" if sheet else names,
    )
    return group, LiveDay(day, tuple(products), path, sheet, codes)


# -- the day's record beside its group -------------------------------------------------------------


def record_path(root: Path, group_path: Path) -> Path:
    return root / group_path.with_suffix(".json")


def write_record(root: Path, live_day: LiveDay) -> None:
    from qr.store.save import atomic_write

    document = {
        "date": live_day.day.isoformat(),
        "sheet": live_day.sheet,
        "products": [{"position": product.position, "values": dict(product.values)} for product in live_day.products],
        "codes": {str(position): list(codes) for position, codes in live_day.codes.items()},
    }
    data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    atomic_write(record_path(root, live_day.group_path), data)


def live_days(library: Library) -> list[LiveDay]:
    """Every imported day of the library (from the records beside the day groups), oldest first."""
    folder = library.root / _folder(library)
    days = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            day = date.fromisoformat(document["date"])
            products = tuple(
                Product(int(item["position"]), {str(key): str(value) for key, value in item["values"].items()})
                for item in document["products"]
            )
            codes = {int(position): tuple(str(code) for code in items) for position, items in document.get("codes", {}).items()}
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a record qr wrote: leave it alone
        group_path = path.relative_to(library.root).with_suffix(".toml")
        days.append(LiveDay(day, products, group_path, str(document.get("sheet", "")), codes))
    return sorted(days, key=lambda live_day: live_day.day)


def _folder(library: Library) -> str:
    raw = library.extra.get("live")
    folder = raw.get("folder") if isinstance(raw, dict) else None
    return folder.strip() if isinstance(folder, str) and folder.strip() else LiveSettings(templates=()).folder


def day_of(library: Library, day: date) -> LiveDay | None:
    return next((live_day for live_day in live_days(library) if live_day.day == day), None)


def import_day(library: Library, sheet: Path, day: date) -> tuple[Group, LiveDay, bool]:
    """Read `sheet` and write the day's group and record into `library`, replacing that day's
    earlier import (same path, same codes for the same rows). Returns the saved group, the day,
    and whether an earlier import of the day was replaced."""
    from qr.store.save import save_group

    products = read_sheet(sheet)
    group, live_day = day_group(library, products, day, sheet=sheet.name)
    previous = library.group_by_path(group.path)
    saved = save_group(library, group, previous=previous, force=previous is None and (library.root / group.path).exists())
    write_record(library.root, live_day)
    return saved, live_day, previous is not None


def clean_before(library: Library, before: date) -> list[LiveDay]:
    """Remove the live days older than `before` (group and record); returns what was removed."""
    from qr.store.save import delete_group

    removed = []
    for live_day in live_days(library):
        if live_day.day >= before:
            continue
        group = library.group_by_path(live_day.group_path)
        if group is not None:
            delete_group(library, group)
        record_path(library.root, live_day.group_path).unlink(missing_ok=True)
        removed.append(live_day)
    return removed


# -- now selling -----------------------------------------------------------------------------------


def _state_file() -> Path:
    from qr.config import data_dir

    return data_dir() / "live.json"


def _read_state() -> dict[str, Any]:
    try:
        state = json.loads(_state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def now_selling(library: Library, day: date) -> tuple[LiveDay, Product] | None:
    """Today's sheet and the product the stream is on (the first until an agent moves it)."""
    live_day = day_of(library, day)
    if live_day is None or not live_day.products:
        return None
    entry = _read_state().get(str(library.root.resolve()), {})
    position = entry.get("position") if isinstance(entry, dict) and entry.get("date") == day.isoformat() else None
    product = live_day.product(position) if isinstance(position, int) else None
    return live_day, product or live_day.products[0]


def step_selling(library: Library, day: date, step: int) -> tuple[LiveDay, Product] | None:
    """Move "now selling" `step` products on (negative: back), staying within the sheet."""
    current = now_selling(library, day)
    if current is None:
        return None
    live_day, product = current
    positions = [item.position for item in live_day.products]
    index = max(0, min(len(positions) - 1, positions.index(product.position) + step))
    chosen = live_day.products[index]
    from qr.store.save import atomic_write

    state = _read_state()
    state[str(library.root.resolve())] = {"date": day.isoformat(), "position": chosen.position}
    atomic_write(_state_file(), json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))
    return live_day, chosen


def selling_values(product: Product) -> dict[str, str]:
    """The values a phrase's `{product}`, `{price}` … take while this product is on."""
    return {name: value for name, value in product.values.items() if value}
