"""What the launcher's fast start relies on: the coalescing footer shows the same keys, the heavy
modules stay unimported until needed, and the collector paused by `qr` comes back on."""

from __future__ import annotations

import gc
import subprocess
import sys

from conftest import build_app
from textual.widgets import Footer, TextArea
from textual.widgets._footer import FooterKey

import qr.app
from qr.screens.edit_actions import is_text_field
from qr.screens.footer import QuietFooter


def build(library_dir):
    return build_app(library_dir, watch_library=False)


def footer_keys(screen) -> list[tuple[str, str]]:
    return [(key.key, key.description) for key in screen.query_one(Footer).query(FooterKey)]


async def test_footer_recomposes_once_per_burst_and_follows_focus(library_dir, monkeypatch):
    recomposes = []
    original = QuietFooter.recompose

    async def counted(self):
        recomposes.append(self)
        await original(self)

    monkeypatch.setattr(QuietFooter, "recompose", counted)
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        shown = footer_keys(screen)
        assert ("enter", "Copy") in shown and ("escape", "Clear") in shown  # the query's keys
        assert len(recomposes) == 1  # textual's Footer rebuilt itself four times here

        await pilot.press("tab")  # the hit list: its keys replace the query's
        await pilot.pause()
        after_tab = footer_keys(screen)
        assert ("enter", "Copy") not in after_tab and after_tab != shown

        await pilot.press("tab")  # back in the query: the same keys as at first
        await pilot.pause()
        assert footer_keys(screen) == shown

        count = len(recomposes)
        screen.refresh_bindings()  # nothing changed: nothing rebuilt
        await pilot.pause()
        assert len(recomposes) == count and footer_keys(screen) == shown
        assert screen.query_one(Footer)._composed_for == screen.query_one(Footer)._keys_signature()


def test_text_fields_are_recognised_without_importing_text_area():
    from textual.widgets import Input, Static

    assert is_text_field(Input()) and is_text_field(TextArea())
    assert not is_text_field(Static()) and not is_text_field(None)


def test_the_launcher_module_leaves_editing_and_team_code_unimported():
    code = (
        "import sys, qr.app, qr.screens.launcher\n"
        "heavy = ['qr.team', 'qr.store.edit', 'qr.store.lint', 'textual.widgets._text_area']\n"
        "print(','.join(name for name in heavy if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


async def test_collector_paused_for_the_start_comes_back_on(library_dir, monkeypatch):
    monkeypatch.setattr(qr.app, "GC_RESUME_SECONDS", 0.01)
    app = build(library_dir)
    app.resume_gc_after_start = True
    gc.disable()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(50):
                await pilot.pause(0.02)
                if gc.isenabled():
                    break
            assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


async def test_apps_made_for_tests_leave_the_collector_alone(library_dir):
    app = build(library_dir)
    assert app.resume_gc_after_start is False
    gc.disable()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause(0.05)
            assert not gc.isenabled()
    finally:
        gc.enable()
