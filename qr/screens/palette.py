"""The command palette's commands, found by their words or by the pinyin of a Chinese name:
`bianji` or `bj` finds 编辑话术 as `edit` finds "Edit phrase" (agents type pinyin all day)."""

from __future__ import annotations

from functools import lru_cache

from textual.command import Hit, Hits
from textual.content import Content
from textual.system_commands import SystemCommandsProvider

from qr.index.pinyin import PinyinTables, has_han

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
