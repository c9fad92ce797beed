"""The screen contract: what every qr screen shares, and every hook the app and other screens call.

Subclass `QrScreen` (or `QrModalScreen` for a dialog) and override the hooks you need; each has a
default that does nothing, so the app calls them on every qr screen without asking what it is:

| Hook | Called by | When |
| :- | :- | :- |
| `library_changed(change)` | `qr.screens.changes.tell_screens` | a save, a delete/move, a live reload or an editor reload changed group files |
| `workspace_changed()` | `QrApp.switch_profile` | the app now works on another workspace (a profile switch) |
| `palette_commands()` | `QrApp.get_system_commands` | the command palette opens over this screen |
| `dirty` | `QrApp.action_quit` | ctrl+q: True asks before quitting (unsaved work) |
| `display_name` / `TITLE_KEY` | the help screen | F1 names the screen below it |

Screens talk to the app through `self.app`, typed as `QrApp` here (workspace, context,
`copy_entry`, `today()`…). Widgets inside a screen that need the app's own attributes declare
`app = getters.app(...)` the same way, or post a Textual message the screen handles.

Bindings: give each Binding an `id`; `binding.<id>` in qr/i18n.py translates its description
(`localise_bindings(self)` in a widget's `__init__` does the same for a widget's own bindings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.text import Text
from textual.app import SystemCommand
from textual.content import Content
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.widgets import Input, Static

from qr.i18n import has, t
from qr.record import replace
from qr.screens.compositor import WideCharCompositor
from qr.store.models import Phrase
from qr.terminal_text import escape_controls

if TYPE_CHECKING:
    from textual import getters

    from qr.app import QrApp

ResultType = TypeVar("ResultType")


def shown(text: str) -> str:
    """`text` as a screen may show it: control characters (except newline and tab) and bidi
    controls written as escapes (`\\x1b`, `\\u202e`). Textual passes ESC through to the terminal,
    so a title holding `ESC [2J` would clear it; every string from a library, a sheet, a config
    or the user goes through here (and into `Content`, never markup) before it is drawn.
    The same characters and escapes as the CLI's output (qr.terminal_text)."""
    return escape_controls(text)


_PICTURED = {
    **{code: 0x2400 + code for code in (*range(0x00, 0x09), *range(0x0B, 0x20))},
    0x7F: 0x2421,
    **{code: 0xFFFD for code in (*range(0x80, 0xA0), 0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}


def pictured(text: str) -> str:
    """`shown` for text being edited: one visible character per control character (␛ for ESC,
    � for C1 and bidi controls), so cursor positions in a text field stay those of the value."""
    return text.translate(_PICTURED)


class SafeInput(Input):
    """An Input that draws control characters as pictures (the value itself is kept as typed), and
    a placeholder wider than the field on one line, cut with "…"."""

    @property
    def _value(self) -> Text:
        text = super()._value
        text.plain = pictured(text.plain)
        return text

    def render_line(self, y: int) -> Strip:
        if y != 0 or self.value or not self.placeholder:
            return super().render_line(y)
        # Input word-wraps a long placeholder and draws the first line: the hint "6-24 位数字，在订单
        # 详情页复制，不要带空格或字母" showed as "6-24" (the rest has no space to wrap at).
        width = self.scrollable_content_region.width
        placeholder = Text(pictured(self.placeholder), no_wrap=True, overflow="ellipsis", end="")
        placeholder.stylize(self.get_component_rich_style("input--placeholder"))
        if self.has_focus and self._cursor_visible:
            placeholder.stylize(self.get_component_rich_style("input--cursor"), 0, 1)
        console = self.app.console
        strip = Strip(console.render(placeholder, self.app.console_options.update_width(width)))
        # one more cell, as Input draws (room for the cursor after a value)
        return strip.crop(0, width).extend_cell_length(width + 1).apply_style(self.rich_style)


def plain(text: object) -> Content:
    """Data as plain, safe Content: never markup, no raw control characters."""
    return Content(shown(str(text)))


def localise_bindings(node: DOMNode) -> None:
    """Replace the descriptions of `node`'s bindings by the catalogue's `binding.<id>` strings."""
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(binding, description=t(f"binding.{binding.id}"))
            if binding.id and has(f"binding.{binding.id}")
            else binding
            for binding in bindings
        ]


@dataclass(frozen=True)
class LibraryChange:
    """Group files of one library changed (qr saved them, or they changed on disk).

    The workspace already holds the new library when screens hear of it.
    """

    root: Path
    """The library's folder."""
    paths: tuple[Path, ...]
    """The group files written or removed, relative to `root`."""
    highlight: tuple[Path, Phrase] | None = None
    """(group file, phrase) a screen showing phrases should move its highlight to (the one just
    saved); None: keep the highlight where it is."""


class QrScreen(Screen[ResultType]):
    """A full qr screen: localised bindings, the shop badge, no blinking cursors when asked, and
    the hooks of the screen contract (see the module docstring), all no-ops by default."""

    if TYPE_CHECKING:
        app = getters.app(QrApp)

    TITLE_KEY: ClassVar[str] = ""
    """Catalogue key of the screen's name (shown by the help screen)."""

    SHOWS_PROFILE: ClassVar[bool] = False
    """True for a screen that shows the current profile itself (the launcher's status line)."""

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._compositor = WideCharCompositor()  # a toast over two widgets keeps its Chinese whole
        localise_bindings(self)

    # -- the contract --------------------------------------------------------------------------------

    @property
    def display_name(self) -> str:
        """The screen's name in the UI language."""
        return t(self.TITLE_KEY) if self.TITLE_KEY else type(self).__name__

    def library_changed(self, change: LibraryChange) -> None:
        """Group files of a library changed and the workspace holds the new version: redraw what
        this screen shows of it (keeping the user's place). Default: nothing to redraw."""

    def workspace_changed(self) -> None:
        """The app switched to another workspace (`self.app.workspace`, a profile switch): show
        that one. Default: nothing to update."""

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Commands this screen adds to the command palette (while it is the active screen),
        listed before the app's own. Default: none."""
        return ()

    @property
    def dirty(self) -> bool:
        """True while the screen holds work that quitting would lose (the app asks first)."""
        return False

    # -- shared behaviour ----------------------------------------------------------------------------

    def notify(
        self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False
    ) -> None:
        """As the app's: markup off by default (a notice quotes data: titles, files, errors)."""
        self.app.notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_mount(self) -> None:
        if not self.app.cursor_blink:
            for field in self.query(Input):
                field.cursor_blink = False
        self._show_profile_badge()

    def _show_profile_badge(self) -> None:
        """With a profile, every full screen shows the shop it serves: an agent copying from the
        browser must see it too. (Profiles are switched from the launcher alone, so it stays true.)"""
        workspace = self.app.workspace
        profile = workspace.profile
        if profile is None or self.SHOWS_PROFILE or isinstance(self, ModalScreen) or self.query("#profile-badge"):
            return
        shop = workspace.shop or profile.name
        badge = Static(Content.assemble((f" {t('status.profile')} {shop} ", "bold reverse $text-accent"), f" {profile.name}"), id="profile-badge")
        badge.styles.dock = "top"
        badge.styles.height = 1
        self.mount(badge)


class QrModalScreen(ModalScreen[ResultType], QrScreen[ResultType]):
    """A qr dialog: the contract of `QrScreen`, shown over the screen below (which stays dimmed).

    ModalScreen comes first: Textual's CSS follows the first base only, and `ModalScreen` rules
    (the dimmed, see-through background) must reach the dialog."""
