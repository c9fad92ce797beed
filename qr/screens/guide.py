"""The wording guide, for new hires: every forbidden phrase, absolute claim and risky promise that
lint checks, each with what to write instead. The lists are the lint rules' own data files
(`qr/store/data/`) plus the library's `[rules]`, so the guide and lint never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

from qr.i18n import t
from qr.screens.base import QrScreen, SafeInput, plain, shown
from qr.screens.footer import QuietFooter
from qr.store.models import Library
from qr.store.word_rules import BUILTIN, KINDS, SEVERITY, GuideEntry, guide_entries


def section_heading(kind: str, count: int) -> Content:
    """The family's name, why it matters and how many terms it has, coloured by its default severity."""
    style = "bold $error" if SEVERITY[kind] == "error" else "bold $warning"
    return Content.styled(f"{t(f'lint.family.{kind}')} ({count}): {t(f'lint.reason.{kind}')}", style)


def guide_sections(library: Library | None) -> list[tuple[str, list[GuideEntry]]]:
    """(kind, entries) in lint's priority order (word_rules.KINDS)."""
    entries = guide_entries(library)
    return [(kind, [entry for entry in entries if entry.kind == kind]) for kind in KINDS]


def word_table(entries: Sequence[GuideEntry]) -> Table:
    """Two columns, term and alternative; a term the library added is marked with its source."""
    table = Table(box=None, show_edge=False, pad_edge=False, expand=True, header_style="bold")
    table.add_column(t("guide.term"), ratio=2, no_wrap=False)
    table.add_column(t("guide.alternative"), ratio=3, no_wrap=False)
    for entry in entries:
        term = Text(shown(entry.term))
        if entry.source != BUILTIN:
            term.append(f"  ({shown(entry.source)})", style="dim")
        alternative = Text(shown(entry.alternative)) if entry.alternative else Text(t("guide.no_alternative"), style="dim italic")
        table.add_row(term, alternative)
    return table


class GuideScreen(QrScreen):
    """What not to write, and what to write instead.

    | Key | Does |
    | --- | --- |
    | ↑ ↓ pgup pgdn | scroll |
    | ctrl+f | search the lists (a word, or what to write instead) |
    | escape | clear the search, else back |
    """

    TITLE_KEY = "screen.guide"
    CSS_PATH = "guide.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="guide.back"),
        Binding("ctrl+f", "search", "Search", id="guide.search"),
    ]

    def __init__(self, library: Library | None) -> None:
        super().__init__()
        self.library = library
        self.search_text = ""

    def compose(self) -> ComposeResult:
        yield Static(t("guide.title"), id="guide-title")
        yield SafeInput(placeholder=t("guide.search_placeholder"), id="guide-search")
        with VerticalScroll(id="guide-page"):
            yield from self._page()
        yield QuietFooter()

    def _page(self) -> ComposeResult:
        yield Static(t("guide.intro"), id="guide-intro", classes="hint")
        wanted = self.search_text.strip().casefold()
        shown_any = False
        for kind, entries in guide_sections(self.library):
            if wanted:
                entries = [entry for entry in entries if wanted in entry.term.casefold() or wanted in entry.alternative.casefold()]
            if not entries:
                continue
            shown_any = True
            yield Static(section_heading(kind, len(entries)), classes="guide-heading")
            yield Static(word_table(entries), id=f"guide-{kind}", classes="guide-table")
        if wanted and not shown_any:
            yield Static(plain(t("guide.no_match", query=self.search_text)), id="guide-none", classes="hint")
        allowed = self.library.rules.allow if self.library is not None else ()
        if allowed and not wanted:
            yield Static(plain(t("guide.allowed", words="、".join(allowed))), id="guide-allowed", classes="hint")

    @on(Input.Changed, "#guide-search")
    async def _search_changed(self, event: Input.Changed) -> None:
        self.search_text = event.value
        page = self.query_one("#guide-page", VerticalScroll)
        await page.remove_children()
        await page.mount_all(list(self._page()))
        page.scroll_home(animate=False)

    @on(Input.Submitted, "#guide-search")
    def _search_submitted(self) -> None:
        self.query_one("#guide-page").focus()

    def action_search(self) -> None:
        self.query_one("#guide-search", Input).focus()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#guide-page").focus()

    def workspace_changed(self) -> None:
        """The app now works on another workspace (a profile switch): its library's rules."""
        self.library = self.app.workspace.library
        self.refresh(recompose=True)

    def action_back(self) -> None:
        search = self.query_one("#guide-search", Input)
        if search.value:
            search.value = ""
            self.query_one("#guide-page").focus()
        else:
            self.dismiss()
