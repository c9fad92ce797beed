"""A Footer that rebuilds its keys once per burst of binding changes.

Textual's Footer schedules a full recompose (remove and remount a FooterKey per binding, each
styled anew) for every "bindings changed" signal. Opening a screen sends several at once (the
stack changed, focus moved, the app got focus, a screen's own refresh), so the launcher's footer
was rebuilt four times before the first frame could be shown: ~60 ms of start-up. A recompose
reads the bindings when it runs, so one pending recompose covers every change signalled before it
starts; a change during a running recompose schedules the next one, which is skipped when the
keys it would show are the ones already shown (focus moved between fields with the same keys).
What is drawn is the same.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class QuietFooter(Footer):
    """Footer (same look, same CSS type) whose recomposes are coalesced."""

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
        if self._composed_for is not None and self._keys_signature() == self._composed_for:
            return
        await self.recompose()

    def compose(self) -> ComposeResult:
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
