"""The footer at 80 columns (#18.7): every main screen shows the F1 "All keys" key, and only whole
keys (Textual's Footer clipped the last one where the palette key begins: `^n 下一位客`, a bare
`f2`). Snapshots of each main screen at 80x24 in both languages hold the look."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from conftest import build_app
from textual.widgets._footer import FooterKey

from qr.screens.footer import QuietFooter
from qr.screens.practice import PracticeScreen

SMALL = (80, 24)
ALL_KEYS = {"en": "f1 All keys", "zh": "f1 全部按键"}


def build(library_dir, lang: str):
    return build_app(library_dir, ui_lang=lang, now=lambda: datetime(2026, 11, 25, 9, 30), watch_library=False)


async def settle(pilot) -> None:
    for _ in range(3):  # the footer hides cut keys after its keys are laid out
        await pilot.pause()


async def open_editor(pilot) -> None:
    await pilot.press(*"/wl1", "f5")


async def open_browser(pilot) -> None:
    await pilot.press("f2")


async def open_practice(pilot) -> None:
    app = pilot.app
    await app.push_screen(PracticeScreen(app.workspace, app.practice_progress, rng=random.Random(5)))


async def open_guide(pilot) -> None:
    await pilot.press("f4")


async def stay(pilot) -> None:
    pass


SCREENS = {"launcher": stay, "editor": open_editor, "browser": open_browser, "practice": open_practice, "guide": open_guide}


def footer_items(app) -> tuple[list[str], set[str]]:
    """What the footer line shows left of the palette key, and every key's whole label."""
    line = app.screen._compositor.render_strips()[-1].text
    left, _bar, palette = line.partition("▏")
    assert palette.strip() in {"^p Commands", "^p 命令"}
    shown = [item.strip() for item in left.split("  ") if item.strip()]
    labels = {f"{key.key_display} {key.description}" for key in app.screen.query_one(QuietFooter).query(FooterKey)}
    return shown, labels


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_main_screen_at_80_columns_shows_f1_and_only_whole_keys(library_dir, lang):
    app = build(library_dir, lang)
    async with app.run_test(size=SMALL) as pilot:
        for name, open_screen in SCREENS.items():
            await open_screen(pilot)
            await settle(pilot)
            shown, labels = footer_items(app)
            assert ALL_KEYS[lang] in shown, (name, shown)
            assert set(shown) <= labels, (name, shown)  # no key cut short
            assert len(shown) >= 5, (name, shown)
            if name != "launcher":
                await pilot.press("escape")
                await settle(pilot)


async def test_keys_stay_whole_when_the_focus_moves_and_the_keys_are_rebuilt(library_dir):
    app = build(library_dir, "zh")
    async with app.run_test(size=SMALL) as pilot:
        await open_guide(pilot)
        for keys in (("ctrl+f", "z"), ("tab",), ("tab",), ("escape",)):
            await pilot.press(*keys)
            await settle(pilot)
            shown, labels = footer_items(app)
            assert ALL_KEYS["zh"] in shown and set(shown) <= labels, (keys, shown)


async def test_a_wider_terminal_shows_the_keys_again(library_dir):
    app = build(library_dir, "en")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        narrow, _labels = footer_items(app)
        assert "f2 Browse" not in narrow
        await pilot.resize_terminal(120, 35)
        await settle(pilot)
        wide, labels = footer_items(app)
        assert {"f2 Browse", "f3 Practise", "f6 Shop"} <= set(wide) <= labels


# the zh launcher at 80x24 is in test_launcher_snapshots
SNAPSHOTS = [(screen, lang) for screen in SCREENS for lang in ("zh", "en") if (screen, lang) != ("launcher", "zh")]


@pytest.mark.parametrize(("screen", "lang"), SNAPSHOTS)
def test_main_screen_at_80x24_snapshot(snap_compare, library_dir, screen, lang):
    async def run_before(pilot):
        await SCREENS[screen](pilot)
        await settle(pilot)

    assert snap_compare(build(library_dir, lang), run_before=run_before, terminal_size=SMALL)
