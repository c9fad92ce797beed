"""Snapshots of the launcher at 100x30 on the fixed test library (steady cursor, pinned clock)."""

from __future__ import annotations

from datetime import datetime

from conftest import build_app

SIZE = (100, 30)


def launcher(library_dir, lang: str = "zh"):
    return build_app(library_dir, ui_lang=lang, now=lambda: datetime(2026, 11, 25, 9, 30), watch_library=False)


def test_empty_launcher(snap_compare, library_dir):
    assert snap_compare(launcher(library_dir), terminal_size=SIZE)


def test_code_query(snap_compare, library_dir):
    assert snap_compare(launcher(library_dir), press=[*"/wl1"], terminal_size=SIZE)


def test_preview_with_missing_variables(snap_compare, library_dir):
    # wl1 needs {order_id}; the order context gives the customer, marked as filled
    app = launcher(library_dir, lang="en")
    app.update_context({"customer": "张三"})
    assert snap_compare(app, press=[*"/wl1"], terminal_size=SIZE)


def test_variable_form(snap_compare, library_dir):
    assert snap_compare(launcher(library_dir), press=[*"/wl1", "enter", *"12", "enter"], terminal_size=SIZE)


def test_launcher_at_80x24_shows_the_numbered_hits_and_f1(snap_compare, library_dir):
    # the smallest terminal an agent uses: numbers for alt+1…, F1 (all keys) still in the footer
    assert snap_compare(launcher(library_dir), press=[*"/wl"], terminal_size=(80, 24))
