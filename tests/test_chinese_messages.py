"""In the Chinese UI every message a lead sees while editing, saving and publishing is Chinese
(#13 Done when): a load problem, a lint finding, a refused save, a conflict and a publish error."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from conftest import build_app
from textual.widgets import Input, Static, TextArea

from qr.i18n import set_language
from qr.screens.editor import PhraseEditor
from qr.screens.merge import MergeDialog
from qr.team import TeamError, publish

LOGISTICS = Path("logistics.toml")
# three or more English words in a row: a sentence that was not translated (file names, codes,
# `qr lint` and single words such as "git" are data or commands, not sentences)
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}[,;:]? [A-Za-z]{2,}[,;:]? [A-Za-z]{2,}")


def english_sentences(texts: list[str]) -> list[str]:
    return [text for text in texts if ENGLISH_SENTENCE.search(re.sub(r"`[^`]*`", "", text))]


def notifications(app) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_a_lead_in_the_chinese_ui_sees_only_chinese_messages(library_dir):
    (library_dir / "broken.toml").write_text('name = "坏"\n[[phrases]]\ncode = "a b"\ntitle = "t"\nbody = "x"\n', encoding="utf-8")
    app = build_app(library_dir, watch_library=False, ui_lang="zh", now=lambda: datetime(2026, 11, 25, 9, 30))
    seen: list[str] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        problems = [text for text in notifications(app) if "broken.toml" in text]
        assert problems and "只能使用 ASCII 字母" in problems[0]  # the load problem, in Chinese
        seen += notifications(app)

        await pilot.press(*"/wl2", "tab", "e")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, PhraseEditor)
        editor.query_one(TextArea).load_text("我也没办法，请您自己看着办")  # a forbidden phrase: a lint error
        await pilot.pause()
        checks = str(editor.query_one("#editor-checks-text").render())
        assert "我也没办法" in checks
        seen += checks.splitlines()
        await pilot.press("ctrl+s")  # refused: the lint error must be fixed first
        await pilot.pause()
        refused = [text for text in notifications(app) if text.startswith("未保存")]
        assert refused, notifications(app)
        seen += notifications(app)

        editor.query_one(TextArea).load_text("很抱歉给您带来不便，我们马上为您处理。")
        editor.query_one("#edit-title", Input).value = "包裹破损（新）"
        await pilot.pause()
        path = library_dir / LOGISTICS
        path.write_text(path.read_text(encoding="utf-8").replace('title = "包裹破损"', 'title = "包裹破损（同事改）"'), encoding="utf-8")
        await pilot.press("ctrl+s")  # someone saved the same phrase meanwhile: a conflict
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MergeDialog)  # theirs and mine side by side
        shown = [str(widget.render()) for widget in dialog.query(Static)]
        assert any("logistics.toml 中的" in text and "在你打开后已在磁盘上被修改" in text for text in shown)
        seen += [*shown, *notifications(app)]

    assert not english_sentences(seen), english_sentences(seen)


def test_a_publish_error_is_chinese_in_the_chinese_ui(tmp_path):
    (tmp_path / "lib").mkdir()
    set_language("zh")
    with pytest.raises(TeamError) as refused:
        publish(tmp_path / "lib")
    text = str(refused.value)
    assert "不是 git 工作区" in text and not english_sentences([text])
    assert "is not a git work tree" in refused.value.text("en")


def test_the_check_finds_english_sentences():
    assert english_sentences(["Not saved: fix it first", "logistics.toml 已修改", "运行 `qr team publish now`"]) == ["Not saved: fix it first"]
