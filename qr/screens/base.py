"""What every qr screen shares: binding descriptions in the UI language, a name for the help
screen, palette commands of its own, and no blinking cursor when the app asks for none.

Subclass `QrScreen` or `QrModalScreen` (or call `localise_bindings(self)` in a widget's
`__init__`) and give each Binding an `id`; `binding.<id>` in qr/i18n.py translates its description.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import ClassVar

from textual.app import SystemCommand
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from qr.i18n import has, t


def localise_bindings(node: DOMNode) -> None:
    """Replace the descriptions of `node`'s bindings by the catalogue's `binding.<id>` strings."""
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(binding, description=t(f"binding.{binding.id}"))
            if binding.id and has(f"binding.{binding.id}")
            else binding
            for binding in bindings
        ]


class _Shared:
    TITLE_KEY: ClassVar[str] = ""
    """Catalogue key of the screen's name (shown by the help screen)."""

    @property
    def display_name(self) -> str:
        return t(self.TITLE_KEY) if self.TITLE_KEY else type(self).__name__

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Commands this screen adds to the command palette (while it is the active screen)."""
        return ()

    def on_mount(self) -> None:
        if not self.app.cursor_blink:
            for field in self.query(Input):
                field.cursor_blink = False
        self._show_profile_badge()

    SHOWS_PROFILE: ClassVar[bool] = False
    """True for a screen that shows the current profile itself (the launcher's status line)."""

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


class QrScreen(_Shared, Screen):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)


class QrModalScreen(_Shared, ModalScreen):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)
