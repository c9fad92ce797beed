"""The command palette's commands, found by their words or by the pinyin of a Chinese name:
`bianji` or `bj` finds 编辑话术 as `edit` finds "Edit phrase" (agents type pinyin all day)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, Hit, Hits
from textual.content import Content
from textual.system_commands import SystemCommandsProvider
from textual.widgets.option_list import Option

from qr.i18n import t
from qr.index.pinyin import PinyinTables, has_han
from qr.screens.compositor import WideCharCompositor

PINYIN_SCORE = 0.5
"""Below a match of the words themselves (Textual scores those from 0 to 1)."""


@lru_cache(maxsize=1)
def _tables() -> PinyinTables:
    return PinyinTables()


def pinyin_matches(query: str, name: str) -> bool:
    """True when `query` (letters, spaces ignored) starts the full pinyin or the initials of `name`,
    or is found in its full pinyin."""
    typed = "".join(query.lower().split())
    if not typed or not typed.isascii() or not has_han(name):
        return False
    tables = _tables()
    full = "".join(tables.full_pinyin(name).split())
    return typed in full or tables.initials_of(name).replace(" ", "").startswith(typed)


class PinyinCommands(SystemCommandsProvider):
    """Textual's system commands (the app's `get_system_commands`), also matched by pinyin."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
            elif pinyin_matches(query, name):
                yield Hit(PINYIN_SCORE, Content(name), callback, help=help_text)


class QrCommandPalette(CommandPalette):
    """Textual's palette, whose "no matches" line is in the UI language (Textual writes it in
    English, in the middle of the method below), drawn like qr's screens (WideCharCompositor)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compositor = WideCharCompositor()  # a toast over the palette keeps its Chinese whole

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                no_matches = Align.center(Text(t("palette.no_matches"), style="not bold"))
                self.query_one(CommandList).add_option(Option(no_matches, disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:  # browsing the commands: nothing to say
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
