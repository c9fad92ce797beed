"""Live-stream days (qr.live, `qr live`): run sheets in CSV and XLSX, the day's group and its
validity, re-import, lint of the generated phrases, now selling, status and clean."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from qr.cli import main
from qr.config import bundled_library
from qr.live import SheetError, clean_before, import_day, live_days, now_selling, read_sheet, selling_values, step_selling
from qr.render import render
from qr.store import load_library
from qr.workspace import open_workspace

DAY = date(2026, 12, 1)
ZH_SHEET = """顺序,商品,价格,优惠,赠品,拍一发多,库存,备注,颜色
1,羊毛开衫,199,满299减30,同色发圈,,200,,燕麦色
,,,,,,,,
2,[b]真丝围巾[/b] {x},89,,,拍1发2,充足,,
3,保温杯,59,,,,,,
"""


@pytest.fixture
def lib(tmp_path) -> Path:
    root = tmp_path / "lib"
    shutil.copytree(bundled_library(), root, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return root


def write(tmp_path: Path, text: str, name: str = "sheet.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_with_chinese_headers_an_empty_row_and_markup_in_a_name(tmp_path):
    products = read_sheet(write(tmp_path, ZH_SHEET))
    assert [(p.position, p.name) for p in products] == [(1, "羊毛开衫"), (2, "[b]真丝围巾[/b] {x}"), (3, "保温杯")]
    assert products[0].values == {"product": "羊毛开衫", "price": "199", "offer": "满299减30", "gift": "同色发圈", "stock": "200", "颜色": "燕麦色"}
    assert products[1].values["bundle"] == "拍1发2"


def test_a_gbk_csv_in_sheet_order_without_an_order_column(tmp_path):
    products = read_sheet(write(tmp_path, "商品,价格\n围巾,89\n帽子,49\n", encoding="gbk"))
    assert [(p.position, p.name, p.values["price"]) for p in products] == [(1, "围巾", "89"), (2, "帽子", "49")]


def test_xlsx_with_english_headers_values_not_formulas(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Order", "Product", "Price", "Offer", "Gift", "Bundle", "Stock", "Note", "Material"])
    sheet.append([2, "Scarf", 89.0, None, None, "buy 1 get 2", None, None, "silk"])
    sheet.append([None] * 9)
    sheet.append([1, "Hat", 19.9, "10 off", None, None, 50, "=HYPERLINK(\"x\")", None])
    path = tmp_path / "run.xlsx"
    book.save(path)
    products = read_sheet(path)
    assert [(p.position, p.name) for p in products] == [(1, "Hat"), (2, "Scarf")]
    assert "note" not in products[0].values  # a formula is never read as text (its value here: none)
    assert products[0].values["price"] == "19.9" and products[1].values["price"] == "89"
    assert products[1].values == {"product": "Scarf", "price": "89", "bundle": "buy 1 get 2", "Material": "silk"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no product rows"),
        ("价格,库存\n9,1\n", "no product column"),
        ("商品,价格\n围巾,9\n,10\n", "row 3"),
        ("顺序,商品\n1,a\n1,b\n", "row 3"),
        ("顺序,商品\nx,a\n", "row 2"),
    ],
)
def test_a_bad_sheet_is_refused_naming_the_row(tmp_path, text, words):
    with pytest.raises(SheetError) as caught:
        read_sheet(write(tmp_path, text))
    assert "sheet.csv" in str(caught.value) and words in str(caught.value)


def test_import_writes_the_day_valid_on_that_date_only(tmp_path, lib):
    library = load_library(lib).library
    group, live_day, replaced = import_day(library, write(tmp_path, ZH_SHEET), DAY)
    assert not replaced and group.path == Path("live/2026-12-01.toml") and group.name == "直播 2026-12-01"
    codes = [phrase.code for phrase in group.phrases]
    # a phrase per template and product, except where the product has no value for it (no gift, …)
    assert codes[:6] == ["l1-1201", "l1y-1201", "l1g-1201", "l1k-1201", "l1f-1201", "l1h-1201"]
    assert "l2b-1201" in codes and "l2g-1201" not in codes and "l3y-1201" not in codes
    assert live_day.codes[2] == ("l2-1201", "l2b-1201", "l2k-1201", "l2f-1201", "l2h-1201")
    reloaded = load_library(lib).library
    _, phrase = reloaded.find_code("l2-1201")
    assert phrase.valid_from == phrase.valid_until == DAY
    text = render(phrase.body, {}).text
    assert text == "亲，2号链接是[b]真丝围巾[/b] {x}，本场直播价89元，在直播间购物车点2号链接就能拍。颜色、尺码有疑问随时问我～"
    assert reloaded.find_code("l1-1201")[1].asks[0] == "羊毛开衫多少钱"

    index = open_workspace(lib).index
    assert [hit.entry.phrase.code for hit in index.search("/l2-", today=DAY)][:1] == ["l2-1201"]
    assert [hit.entry.phrase.code for hit in index.search("真丝围巾", today=DAY)][:1] == ["l2-1201"]
    assert index.search("/l2-1201", today=DAY + timedelta(days=1)) == []  # gone the day after
    assert not any(hit.entry.phrase.code.startswith("l2-") for hit in index.search("真丝围巾", today=DAY + timedelta(days=1)))


def test_reimport_replaces_the_day_with_stable_codes(tmp_path, lib):
    sheet = write(tmp_path, ZH_SHEET)
    first, _, _ = import_day(load_library(lib).library, sheet, DAY)
    sheet.write_text(ZH_SHEET.replace("199", "189"), encoding="utf-8")
    second, _, replaced = import_day(load_library(lib).library, sheet, DAY)
    assert replaced
    assert [p.code for p in second.phrases] == [p.code for p in first.phrases]
    library = load_library(lib).library
    assert [g.name for g in library.groups].count("直播 2026-12-01") == 1
    assert "189元" in library.find_code("l1-1201")[1].body
    import_day(library, sheet, DAY + timedelta(days=1))  # the next day: its own codes, no clash
    from qr.store.lint import lint

    assert [f for f in lint(load_library(lib).library, today=DAY) if f.rule == "duplicate-code"] == []


def test_unknown_columns_are_variables_of_the_lead_s_templates(tmp_path):
    root = tmp_path / "own"
    root.mkdir()
    (root / "_library.toml").write_text(
        'name = "own"\n[live]\nfolder = "直播"\n[[live.templates]]\ncode = "z{n}"\ntitle = "{product}"\n'
        'body = "{customer|亲}，{product}是{颜色}，{{原价}}{price}元"\n',
        encoding="utf-8",
    )
    group, _, _ = import_day(load_library(root).library, write(tmp_path, ZH_SHEET), DAY)
    assert [p.code for p in group.phrases] == ["z1-1201"]  # only the first row has a colour
    assert group.path == Path("直播/2026-12-01.toml")
    assert render(group.phrases[0].body, {"customer": "王女士"}).text == "王女士，羊毛开衫是燕麦色，{原价}199元"


def test_cli_import_lints_the_day_and_refuses_a_bad_sheet(tmp_path, lib, capsys):
    sheet = write(tmp_path, ZH_SHEET.replace("满299减30", "全网最低价"))
    code, _, err = run(capsys, "live", "import", str(sheet), "--date", "2026-12-01", "--into", str(lib))
    assert code == 0
    assert "3 products" in err and "live/2026-12-01.toml" in err
    assert "/l1y-1201" in err and "全网最低价" in err
    code, _, err = run(capsys, "live", "import", str(write(tmp_path, "价格\n9\n", "bad.csv")), "--date", "2026-12-01", "--into", str(lib))
    assert code == 2 and "bad.csv" in err
    assert [d.day for d in live_days(load_library(lib).library)] == [DAY]  # the bad sheet wrote nothing
    code, _, err = run(capsys, "live", "import", str(sheet), "--date", "12/01", "--into", str(lib))
    assert code == 2 and "12/01" in err


def test_the_bundled_library_is_not_written(tmp_path, capsys):
    code, _, err = run(capsys, "live", "import", str(write(tmp_path, ZH_SHEET)), "--date", "2026-12-01")
    assert code == 2 and "qr init" in err


def test_now_selling_steps_and_status(tmp_path, lib, capsys):
    library = load_library(lib).library
    import_day(library, write(tmp_path, ZH_SHEET), DAY)
    library = load_library(lib).library
    live_day, product = now_selling(library, DAY)
    assert product.position == 1 and len(live_day.products) == 3
    assert step_selling(library, DAY, +1)[1].name.startswith("[b]真丝围巾")
    assert step_selling(library, DAY, +5)[1].position == 3  # stays on the last
    assert step_selling(library, DAY, -1)[1].position == 2
    assert now_selling(library, DAY)[1].position == 2  # remembered
    assert now_selling(library, DAY + timedelta(days=1)) is None
    assert selling_values(now_selling(library, DAY)[1])["price"] == "89"

    code, out, _ = run(capsys, "--library", str(lib), "live", "status", "--date", "2026-12-01", "--json")
    status = json.loads(out)
    assert code == 0 and status["now_selling"] == 2
    assert [(p["position"], p["product"], p["codes"][0]) for p in status["products"]] == [
        (1, "羊毛开衫", "l1-1201"), (2, "[b]真丝围巾[/b] {x}", "l2-1201"), (3, "保温杯", "l3-1201"),
    ]
    code, out, _ = run(capsys, "--library", str(lib), "live", "status", "--date", "2026-12-01")
    assert "▶ 2. [b]真丝围巾[/b] {x}" in out
    code, _, err = run(capsys, "--library", str(lib), "live", "status", "--date", "2026-12-02")
    assert code == 0 and "2026-12-02" in err


def test_clean_before_removes_old_days_only(tmp_path, lib, capsys):
    sheet = write(tmp_path, ZH_SHEET)
    for offset in range(3):
        import_day(load_library(lib).library, sheet, DAY + timedelta(days=offset))
    code, _, err = run(capsys, "--library", str(lib), "live", "clean", "--before", "2026-12-03")
    assert code == 0 and "2" in err
    library = load_library(lib).library
    assert [d.day for d in live_days(library)] == [date(2026, 12, 3)]
    assert sorted(p.name for p in (lib / "live").iterdir()) == ["2026-12-03.json", "2026-12-03.toml"]
    assert clean_before(library, DAY) == []
