"""What an agent sees at 80x24 (#18, checked in a real terminal): a form's hint is readable."""

from __future__ import annotations

from conftest import build_app, write_library

from qr.screens.variables import VariablesForm

HINT = "6-24 位数字，在订单详情页复制，不要带空格或字母"


async def test_a_long_hint_stays_on_the_line_cut_with_an_ellipsis(tmp_path):
    """Input word-wrapped the placeholder and drew its first line: the bundled library's hint for
    the order number showed as `6-24` (the rest holds no space to wrap at)."""
    library = write_library(tmp_path / "lib")
    settings = library / "_library.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "pattern = '^\\d{6,24}$'", f"pattern = '^\\d{{6,24}}$'\nhint = \"{HINT}\"", 1), encoding="utf-8")
    assert HINT in settings.read_text(encoding="utf-8")
    app = build_app(library, watch_library=False, ui_lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"/wl1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, VariablesForm)
        row = next(strip.text for strip in app.screen._compositor.render_strips() if "(order_id)" in strip.text)
        shown = row.split("(order_id) *", 1)[1].split("█")[0].strip()
        assert shown.endswith("…") and len(shown) > 10, row
        assert HINT.startswith(shown[:-1]), row
