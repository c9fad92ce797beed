"""Now selling in the launcher (Pilot): F9/F8 and the palette step through today's run sheet, the
status line shows the product, its phrases rank first and `{product}`/`{price}` default to it;
the next day (pinned clock) the day's group is gone from search."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from conftest import build_app

from qr.clipboard import MemoryClipboard
from qr.config import bundled_library
from qr.live import import_day
from qr.screens.launcher import LauncherScreen
from qr.store import load_library

SHEET = """顺序,商品,价格,优惠,赠品
1,羊毛开衫,199,满299减30,同色发圈
2,真丝围巾 [red]{x}[/red],89,,
3,保温杯,59,第二件半价,
4,毛线帽,39,,
5,手套,29,,
"""
DAY = datetime(2026, 12, 1, 20, 0)
NEXT_DAY = datetime(2026, 12, 2, 9, 0)


@pytest.fixture
def lib(tmp_path):
    root = tmp_path / "lib"
    shutil.copytree(bundled_library(), root, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    import_day(load_library(root).library, sheet, DAY.date())
    return root


def codes(screen: LauncherScreen) -> list[str]:
    return [hit.entry.phrase.code or "" for hit in screen.hits]


def indicators(screen: LauncherScreen) -> str:
    return str(screen.query_one("#indicators").render())


async def test_now_selling_steps_ranks_and_fills_the_product(lib):
    clipboard = MemoryClipboard()
    app = build_app(lib, clipboard=clipboard, now=lambda: DAY, watch_library=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, LauncherScreen)
        assert "LIVE 1/5 羊毛开衫 199" in indicators(screen)
        assert codes(screen)[:3] == ["l1-1201", "l1y-1201", "l1g-1201"]  # the empty query: the product on sale first
        await pilot.press("f9")
        await pilot.pause()
        assert "LIVE 2/5 真丝围巾 [red]{x}[/red] 89" in indicators(screen)
        await pilot.press(*"/l")
        await pilot.pause()
        assert codes(screen)[:2] == ["l2-1201", "l2f-1201"]  # a code query: this product's phrases first
        await pilot.press("ctrl+u", *"直播价")
        await pilot.pause()
        # a word query too (these two hold it in the body: l2f earlier in its body, so first)
        assert codes(screen)[:2] == ["l2f-1201", "l2-1201"]
        # a general reply names the product now selling, without asking for it
        await pilot.press("ctrl+u", *"/sq3", "enter")
        await pilot.pause()
        assert clipboard.text.startswith("亲，真丝围巾 [red]{x}[/red]的材质")
        await pilot.press("f9", "f9", "f8")
        await pilot.pause()
        assert "LIVE 3/5 保温杯 59" in indicators(screen)
        await pilot.press("ctrl+u", *"/zb15", "enter")
        await pilot.pause()
        assert "主播现在讲的是保温杯" in clipboard.text


async def test_the_palette_moves_now_selling(lib):
    app = build_app(lib, now=lambda: DAY, watch_library=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"next product", "enter")
        await pilot.pause()
        assert "LIVE 2/5" in indicators(app.screen)


async def test_the_next_day_the_sheet_is_gone(lib):
    app = build_app(lib, now=lambda: NEXT_DAY, watch_library=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert "LIVE" not in indicators(screen)
        await pilot.press(*"/l1-")
        await pilot.pause()
        assert not any(code.endswith("-1201") for code in codes(screen))
        await pilot.press("f9")
        await pilot.pause()
        assert any("no live sheet for 2026-12-02" in str(n.message) for n in app._notifications)
