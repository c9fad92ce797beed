"""Pasting a buyer's message into the launcher (issue 16.6) and learning asks from copies (16.7)."""

from __future__ import annotations

import shutil
from datetime import datetime

from conftest import ROOT, build_app
from textual.events import Paste

from qr.clipboard import MemoryClipboard
from qr.config import config_dir
from qr.learned_asks import LearnedAsks
from qr.screens.launcher import QueryInput

MESSAGE = "你好，我上周买的东西\n物流三天没更新了\r\n是不是丢了？订单 4829301938475"


def _library(tmp_path):
    library = tmp_path / "lib"
    shutil.copytree(ROOT / "phrases", library)
    return library


async def test_a_pasted_message_is_one_line_and_finds_its_reply(tmp_path):
    app = build_app(_library(tmp_path), watch_library=False, now=lambda: datetime(2026, 11, 25, 9, 30))
    async with app.run_test(size=(110, 32)) as pilot:
        query = app.screen.query_one(QueryInput)
        query.post_message(Paste(MESSAGE))
        await pilot.pause()
        await pilot.pause()
        assert query.value == "你好，我上周买的东西 物流三天没更新了 是不是丢了？订单 4829301938475"
        codes = [hit.phrase.code for hit in app.screen.hits[:5]]
        assert {"wl3", "wl5"} & set(codes), codes
        # the preview marks the words the reply shares with the message
        body = app.screen.query_one("#preview-body").render()
        marked = [str(body)[span.start : span.end] for span in body.spans if "underline" in str(span.style)]
        assert any(word in ("物流", "更新", "包裹") for word in marked), marked


async def test_learn_asks_keeps_the_cleaned_query_after_a_copy(tmp_path):
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "config.toml").write_text("learn_asks = true\n", encoding="utf-8")
    clipboard = MemoryClipboard()
    app = build_app(_library(tmp_path), watch_library=False, clipboard=clipboard, now=lambda: datetime(2026, 11, 25, 9, 30))
    async with app.run_test(size=(110, 32)) as pilot:
        for _ in range(2):
            app.screen.query_one(QueryInput).post_message(Paste("退款多久到账 订单4829301938475"))
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
        copied = app.screen  # still the launcher
        assert copied.query_text == ""
    assert len(clipboard.copied) == 2
    store = LearnedAsks()
    [suggestion] = store.suggestions()
    store.close()
    assert suggestion.text == "退款多久到账 订单" and suggestion.count == 2


async def test_without_learn_asks_nothing_is_kept(tmp_path):
    app = build_app(_library(tmp_path), watch_library=False, now=lambda: datetime(2026, 11, 25, 9, 30))
    async with app.run_test(size=(110, 32)) as pilot:
        app.screen.query_one(QueryInput).post_message(Paste("退款多久到账"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert not LearnedAsks().path.exists()
