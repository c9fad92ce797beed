"""The footer of every qr screen: its keys rebuilt once per burst of binding changes, and only
keys that fit whole are shown.

Textual's Footer schedules a full recompose (remove and remount a FooterKey per binding, each
styled anew) for every "bindings changed" signal. Opening a screen sends several at once (the
stack changed, focus moved, the app got focus, a screen's own refresh), so the launcher's footer
was rebuilt four times before the first frame could be shown: ~60 ms of start-up. A recompose
reads the bindings when it runs, so one pending recompose covers every change signalled before it
starts; a change during a running recompose schedules the next one, which is skipped when the
keys it would show are the ones already shown (focus moved between fields with the same keys).
What is drawn is the same.

At 80 columns the keys do not all fit: Textual's Footer clips the last one where the palette key
begins (`^n 下一位客` or a bare `f2`). Here a key that does not fit whole is hidden instead; the
F1 "All keys" key, early in every screen's list, shows them all.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class QuietFooter(Footer):
    """Footer (same look, same CSS type) whose recomposes are coalesced and whose keys are shown
    whole or not at all."""

    _recompose_pending = False
    _composed_for: tuple | None = None
    """What the keys on show were built from (see `_keys_signature`)."""

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False  # before the await: a change from now on needs a new one
        if not self.is_attached:  # its screen was closed meanwhile
            return
        if self._composed_for is not None and self._keys_signature() == self._composed_for:
            return
        await self.recompose()
        self._fit_later()

    def on_mount(self) -> None:
        # after each layout of the screen (new keys get their places then); Footer.on_mount runs too
        self.screen.screen_layout_refresh_signal.subscribe(self, self._laid_out)

    def on_unmount(self) -> None:
        self.screen.screen_layout_refresh_signal.unsubscribe(self)

    def _laid_out(self, _screen: Screen) -> None:
        # every keystroke in the launcher lays the screen out: refit only when the footer changed
        if self._fitted_for != self._fit_signature():
            self._fit_later()

    _fitted_for: tuple | None = None
    """`_fit_signature()` when the keys were last fitted."""

    def _fit_signature(self) -> tuple:
        return (self.size, round(self.scroll_x), self._places is None, len(self.children))

    def on_resize(self) -> None:
        self._fit_later()

    def watch_scroll_x(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_x(old_value, new_value)  # the wheel scrolls the keys sideways
        self._fit_later()

    _fit_pending = False
    _places: dict[Widget, Region] | None = None
    """Where each key of the current compose was laid out (a hidden key is not, so it is kept)."""

    def _fit_later(self) -> None:
        """Show only whole keys once the keys on show are laid out (after this refresh)."""
        if not self._fit_pending:
            self._fit_pending = True
            self.call_after_refresh(self._show_whole_keys)

    def _show_whole_keys(self) -> None:
        """Hide the keys (or key groups) cut by the palette key or the footer's right edge."""
        self._fit_pending = False
        if not self.is_attached:
            return
        palette = next((key for key in self.query_children(FooterKey) if key.has_class("-command-palette")), None)
        if palette is not None and not palette.virtual_region:
            return  # not laid out yet: the next layout calls again
        places = self._places = self._places or {}
        for child in self.children:
            if laid_out := child.virtual_region:
                places[child] = laid_out
        right = palette.virtual_region.x if palette is not None else self.scrollable_content_region.width
        scroll_x = round(self.scroll_x)
        for child in self.children:
            place = places.get(child)
            if child is palette or place is None:
                continue  # not laid out yet: the next layout calls again
            # a key's last cell is the blank after its description: that one may be under the palette key
            spare = (
                child.get_component_styles("footer-key--description").padding.right
                if isinstance(child, FooterKey) and child.description
                else 0
            )
            fits = place.x - scroll_x >= 0 and place.right - spare - scroll_x <= right
            if child.visible != fits:
                child.visible = fits
        if len(places) == len(self.children):  # every key was placed: nothing to fit until something changes
            self._fitted_for = self._fit_signature()

    def compose(self) -> ComposeResult:
        self._places = None  # new keys
        self._composed_for = self._keys_signature() if self._bindings_ready else None
        yield from super().compose()

    def _keys_signature(self) -> tuple:
        """Everything Footer.compose reads: the screen's active bindings as shown, and the palette key."""
        app = self.app
        keys = tuple(
            (binding, app.get_key_display(binding), enabled, tooltip)
            for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
        return (self.show_command_palette, app.ENABLE_COMMAND_PALETTE, app.COMMAND_PALETTE_BINDING, keys)
