"""F6: choose the profile (the shop) to work for. Dismisses with the chosen profile's name (None on Esc).

The app does the switching (reload the libraries, forget the order context, re-render): this
screen only lists the config's profiles, the current one marked, and says which shop each is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qr.config import Profile
from qr.i18n import t
from qr.screens.base import QrModalScreen, shown


class ProfileSwitcher(QrModalScreen):
    """The config's profiles; Enter switches to the highlighted one, Esc keeps the current.

    | Key | Does |
    | :- | :- |
    | up / down | highlight a profile |
    | enter | switch to it |
    | escape | keep the current profile |
    """

    TITLE_KEY = "screen.profiles"
    CSS_PATH = "profiles.tcss"
    AUTO_FOCUS = "#profile-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="profiles.cancel"),
    ]

    def __init__(self, profiles: Sequence[Profile], current: str) -> None:
        super().__init__()
        self.profiles = list(profiles)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="profiles"):
            yield Static(t("profiles.title"), id="profiles-title")
            yield OptionList(*(self._option(profile) for profile in self.profiles), id="profile-list")
            yield Static(t("profiles.hint"), id="profiles-hint")

    def on_mount(self) -> None:
        super().on_mount()
        names = [profile.name for profile in self.profiles]
        self.query_one(OptionList).highlighted = names.index(self.current) if self.current in names else 0

    def _option(self, profile: Profile) -> Option:
        mark = "● " if profile.name == self.current else "  "
        shop = profile.shop or t("profiles.no_shop")
        folders = "  ".join(path.name or str(path) for path in profile.libraries) or t("profiles.default_library")
        prompt = Content.assemble(
            (mark, "bold $text-success"),
            (shown(profile.name), "bold"),
            "  ",
            (shown(shop), "$text-primary"),
            "\n    ",
            (shown(folders), "$text-muted"),
        )
        return Option(prompt, id=profile.name)

    @on(OptionList.OptionSelected, "#profile-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
