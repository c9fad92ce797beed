"""What a qr run works on: the config, the loaded library, its problems and its search index.

The CLI and the TUI both start from `open_workspace`; neither reaches into the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from qr.config import Config, load_config, resolve_library
from qr.render import Rendered, builtin_values, library_defaults, render
from qr.search import Entry, PhraseIndex
from qr.store.load import load_library
from qr.store.models import Library, Problem


@dataclass
class Workspace:
    config: Config
    library: Library
    problems: tuple[Problem, ...] = ()
    _index: PhraseIndex | None = field(default=None, repr=False)

    @property
    def libraries(self) -> list[Library]:
        return [self.library]

    @property
    def index(self) -> PhraseIndex:
        if self._index is None:
            self._index = PhraseIndex.from_libraries(self.libraries)
        return self._index

    def reindex(self) -> None:
        self._index = None

    @property
    def shop(self) -> str:
        return self.config.shop or self.library.shop

    @property
    def agent(self) -> str:
        return self.config.agent

    def builtins(self, lang: str = "zh", now: datetime | None = None) -> dict[str, str]:
        return builtin_values(lang=lang, agent=self.agent, shop=self.shop, now=now)

    def render(self, entry: Entry, values: dict[str, str] | None = None) -> Rendered:
        """Render a phrase with the given values, its library's defaults and the built-ins."""
        return render(
            entry.phrase.body,
            values or {},
            defaults=library_defaults(entry.library),
            builtins=self.builtins(entry.phrase.lang),
        )


def open_workspace(library: str | Path | None = None, config: Config | None = None) -> Workspace:
    config = config or load_config()
    root = resolve_library(str(library) if library else None, config)
    result = load_library(root)
    return Workspace(config=config, library=result.library, problems=result.problems)
