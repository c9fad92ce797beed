"""Exported sheets cannot run formulas (OWASP CSV injection), and qr reads its own sheets back exactly."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import write_library

from qr.cli import main
from qr.store.load import load_library
from qr.transfer.entries import FORMULA_STARTS, neutralise_cell, restore_cell

HOSTILE = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "\t=1+1", "'=1+1", "''@x", "'plain", "普通回复"]


def _library(tmp_path):
    phrases = "".join(
        f'[[phrases]]\ncode = "h{number}"\ntitle = "t{number}"\nbody = "{_toml(body)}"\n\n' for number, body in enumerate(HOSTILE)
    )
    return write_library(tmp_path / "lib", {"_library.toml": 'name = "x"\n', "hostile.toml": f'name = "=组"\n\n{phrases}'})


def _toml(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("value", [*HOSTILE, "", "'", "'-"])
def test_neutralise_and_restore_are_inverse(value):
    cell = neutralise_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert restore_cell(cell) == value


@pytest.mark.parametrize("fmt", ["csv", "qianniu-csv"])
def test_csv_exports_start_no_cell_with_a_formula_character(tmp_path, capsys, fmt):
    root = _library(tmp_path)
    out = tmp_path / f"out-{fmt}.csv"
    assert main(["--library", str(root), "export", "--format", fmt, "--out", str(out)]) == 0
    rows = _cells(out.read_bytes())
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    body_column = 4 if fmt == "csv" else 1
    assert [row[body_column] for row in rows[1:]][:5] == ["'=1+1", "'+cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3", "'\t=1+1"]
    assert "'=组" in cells  # the group name too


def test_xlsx_export_cells_are_text_with_the_prefix(tmp_path, capsys):
    from openpyxl import load_workbook

    root = _library(tmp_path)
    out = tmp_path / "out.xlsx"
    assert main(["--library", str(root), "export", "--format", "qianniu-xlsx", "--out", str(out)]) == 0
    sheet = load_workbook(out).worksheets[0]
    bodies = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert bodies[:4] == ["'=1+1", "'+cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3"]
    assert all(row[1].data_type == "s" for row in sheet.iter_rows(min_row=2))


@pytest.mark.parametrize("fmt, suffix", [("csv", "csv"), ("qianniu-csv", "csv"), ("qianniu-xlsx", "xlsx")])
def test_a_round_trip_through_a_qr_sheet_is_exact(tmp_path, capsys, fmt, suffix):
    root = _library(tmp_path)
    out = tmp_path / f"out.{suffix}"
    assert main(["--library", str(root), "export", "--format", fmt, "--out", str(out)]) == 0
    fresh = tmp_path / "fresh"
    assert main(["import", str(out), "--into", str(fresh)]) == 0
    bodies = {phrase.code: phrase.body for _, phrase in load_library(fresh).library.phrases()}
    assert bodies == {f"h{number}": body for number, body in enumerate(HOSTILE)}
    groups = {group.name for group in load_library(fresh).library.groups}
    assert groups == {"=组"}
