"""The qr Textual app: one factory (`make_app`) for the CLI and the tests, the order context,
the copy flow every screen uses, F1 help and the command palette's commands.

The library (a Workspace), the clipboard and the UI language are passed in, never discovered here.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen

from qr.clipboard import Clipboard, ClipboardUnavailable, SystemClipboard, copy_with_fallback
from qr.i18n import choose_language, set_language, t
from qr.render import Rendered, TemplateError, builtin_values, library_defaults, render
from qr.screens.base import QrScreen, localise_bindings, shown
from qr.store.entry import Entry
from qr.store.models import VarSpec
from qr.usage import UsageStore
from qr.workspace import Workspace

if TYPE_CHECKING:
    from qr.live import LiveDay, Product
    from qr.paste import Paster
    from qr.practice import ProgressStore
    from qr.store.undo import Deleted, Step

EMPTY: Mapping[str, str] = MappingProxyType({})
EXIT_UNVERIFIED = 4
"""`qr --once` exit status when the reply only went to the terminal's clipboard (OSC 52), which
cannot be verified (0: a verified copy; 130: closed without copying)."""
BUILTIN_VAR_LABELS: Mapping[str, str] = MappingProxyType({"customer": "var.customer", "order_id": "var.order_id"})
"""Catalogue keys of the labels of the variables the status line always shows, for a library
that declares them without a `label` (or not at all)."""
GC_RESUME_SECONDS = 0.5
"""After mounting, when `resume_gc_after_start` turns the collector back on: the first frame is
drawn ~30-80 ms after mount on a 2-core machine, so this leaves room for a slow one."""


class QrApp(App[object]):
    """qr's terminal app. Screens reach the library through `workspace`, the order context
    through `context`, and copy through `copy_entry` (which asks for missing variables).

    | Key | Does |
    | :- | :- |
    | F1 | help: the keys of the current screen |
    | ctrl+p | command palette |
    | ctrl+o | order info form (the order context) |
    | ctrl+n | next customer: forget the order context |
    | F2 / F3 / F4 | browser / practice / wording guide (for new hires) |
    | F7 | draft check: paste or type a reply, see what lint finds, Enter copies it |
    | F6 | switch shop (profile): its libraries, names; the order info is cleared |
    | ctrl+q | quit |
    """

    CSS_PATH = "app.tcss"
    TITLE = "qr"
    # A mode (not get_default_screen) so Textual loads the launcher's own stylesheet.
    MODES: ClassVar[dict] = {"launcher": lambda: _launcher_screen()}
    DEFAULT_MODE = "launcher"
    # the palette's commands, found by pinyin too (imported when the palette first opens)
    COMMANDS: ClassVar[set] = {lambda: _palette_commands()}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="app.help", priority=True),  # on every screen, modal ones too
        Binding("ctrl+o", "order_context", "Order info", id="app.order_context"),
        Binding("ctrl+n", "next_customer", "Next customer", id="app.next_customer"),
        Binding("f2", "browser", "Browse", id="app.browser"),
        Binding("f3", "practice", "Practise", id="app.practice"),
        # the guide is for new hires: in help and the palette, not in the agents' crowded footer
        Binding("f4", "guide", "Guide", id="app.guide", show=False),
        Binding("f6", "switch_profile", "Shop", id="app.switch_profile"),
        Binding("f7", "draft_check", "Check draft", id="app.draft_check"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        # replaces Textual's own palette binding, whose description is not translated
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True, id="app.palette"),
    ]

    resume_gc_after_start: bool = False
    """`qr` (qr.cli.launch) starts with Python's cyclic collector off; True: freeze what start-up made
    and turn it back on once the first frame is on screen."""

    context: reactive[Mapping[str, str]] = reactive(EMPTY, init=False)
    """The current order's values (customer, order_id…): in memory only, never written anywhere."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        clipboard: Clipboard,
        once: bool = False,
        ui_lang: str | None = None,
        now: Callable[[], datetime] | None = None,
        usage: UsageStore | None = None,
        cursor_blink: bool = True,
        watch_library: bool = True,
        paster: Paster | str | None = None,
    ) -> None:
        set_language(choose_language(ui_lang or workspace.config.ui_lang))
        super().__init__()
        localise_bindings(self)
        self.workspace = workspace
        self.undo_steps: list[Step] = []
        """The session's edits, newest last (ctrl+z in the lists); kept until qr quits."""
        self.deleted_phrases: list[Deleted] = []
        """The phrases deleted this session, newest last (r in the lists restores one); kept until qr quits."""
        self.clipboard_backend = clipboard
        self.once = once
        self.now = now or datetime.now
        self.cursor_blink = cursor_blink
        self.watch_library = watch_library
        self._told_osc52 = False
        self.paster: Paster | None = paster if not isinstance(paster, str) else None
        """`--paste`: sends the paste keystroke after a verified copy (with `--once`, the CLI does,
        after qr has exited)."""
        self._paste_problem = paster if isinstance(paster, str) else None
        """Why `--paste` cannot work here; said once, at the first copy."""
        self._practice_progress: ProgressStore | None = None
        self.usage_store = usage
        """The agent's copy history (None: no ranking, nothing recorded)."""
        self._usage_scores: dict[str, float] | None = None
        self.live_selling: tuple[LiveDay, Product] | None = None
        """Today's live-stream sheet and the product now selling (qr.live), None without a sheet."""

    def notify(
        self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False
    ) -> None:
        """Textual's notify with markup off by default: notices quote titles, files and errors (data)."""
        super().notify(shown(str(message)) if not markup else message, title=title, severity=severity, timeout=timeout, markup=markup)

    def today(self) -> date:
        """The app's date (tests pin `now`): decides validity windows and what counts as expired."""
        return self.now().date()

    @property
    def practice_progress(self) -> ProgressStore:
        """The practice scores (`qr.practice.ProgressStore`), opened when a new hire first needs them."""
        if self._practice_progress is None:
            from qr.practice import ProgressStore

            self._practice_progress = ProgressStore()
        return self._practice_progress

    def _apply_keymap(self) -> None:
        """`[keymap]` of the config (binding id -> keys, e.g. `"launcher.copy" = "enter,ctrl+j"`),
        applied to every screen; F1 then lists the keys in effect. An id qr does not have, or a
        value that is not a string, is one warning naming them and the file (the rest still applies)."""
        config = self.workspace.config
        table = config.extra.get("keymap")
        if table is None:
            return
        where = str(config.path or "config.toml")
        if not isinstance(table, dict):
            self.notify(t("keymap.not_table", path=where), severity="warning", timeout=10)
            return
        known = known_binding_ids()
        keymap = {name: keys for name, keys in table.items() if name in known and isinstance(keys, str) and keys.strip()}
        refused = [name for name in table if name not in keymap]
        if keymap:
            self.set_keymap(keymap)
        if refused:
            self.notify(t("keymap.unknown", ids=", ".join(refused), path=where), severity="warning", timeout=10)

    def on_mount(self) -> None:
        self._apply_keymap()
        from qr.screens.live_reload import LiveReload

        self.live_reload = LiveReload(self)  # group files changed on disk are reloaded (editor issue)
        if self.watch_library:
            self.live_reload.start()
        if self.resume_gc_after_start:
            self.set_timer(GC_RESUME_SECONDS, _resume_gc, name="resume-gc")
        if self.workspace.problems:
            first = self.workspace.problems[0]
            self.notify(
                t("launcher.problems", count=len(self.workspace.problems), first=first),
                severity="warning",
                timeout=10,
            )
        for warning in self.workspace.config.warnings:  # an unknown config key: the CLI prints these
            self.notify(str(warning), severity="warning", timeout=10)

    # -- rendering and variables -----------------------------------------------------------------

    # -- live-stream day -------------------------------------------------------------------------

    def refresh_live(self) -> None:
        """Read today's live sheet and the product now selling again (after a reload or a switch)."""
        from qr.live import now_selling

        self.live_selling = now_selling(self.workspace.library, self.today())

    def step_live(self, step: int) -> None:
        """Move "now selling" `step` products on (negative: back); remembered for the day."""
        from qr.live import step_selling

        self.live_selling = step_selling(self.workspace.library, self.today(), step)

    def live_values(self) -> dict[str, str]:
        """`{product}`, `{price}` … of the product now selling: the default of every phrase."""
        if self.live_selling is None:
            return {}
        from qr.live import selling_values

        return selling_values(self.live_selling[1])

    def render_entry(self, entry: Entry, values: Mapping[str, str] | None = None) -> Rendered:
        """The phrase rendered with the order context (plus `values`), over the values of the
        product now selling in a live stream. Raises TemplateError."""
        given = {**self.live_values(), **self.context, **(values or {})}
        return render(
            entry.phrase.body,
            given,
            defaults=library_defaults(entry.library),
            builtins=builtin_values(
                lang=entry.phrase.lang,
                agent=self.workspace.agent,
                shop=self.workspace.shop,
                now=self.now(),
            ),
        )

    def var_specs(self, entry: Entry | None = None) -> dict[str, VarSpec]:
        """Declared variables: the entry's library's, else every library's (earlier ones win)."""
        libraries = [entry.library] if entry is not None else list(reversed(self.workspace.libraries))
        specs: dict[str, VarSpec] = {}
        for library in libraries:
            specs.update(library.vars)
        return specs

    def var_label(self, name: str, entry: Entry | None = None) -> str:
        """The variable's `label`; for the built-in customer/order_id without one, the catalogue's
        (客户称呼 / 订单号 in the Chinese UI), else its name."""
        spec = self.var_specs(entry).get(name)
        if spec is not None and spec.label:
            return spec.label
        if name in BUILTIN_VAR_LABELS:
            return t(BUILTIN_VAR_LABELS[name])
        return name

    def update_context(self, values: Mapping[str, str]) -> None:
        """Merge `values` into the order context; an empty value removes that name."""
        merged = {**self.context, **values}
        self.context = MappingProxyType({name: value for name, value in merged.items() if value})

    def replace_context(self, values: Mapping[str, str]) -> None:
        self.context = MappingProxyType({name: value for name, value in values.items() if value})

    # -- copying -----------------------------------------------------------------------------------

    def copy_entry(self, entry: Entry, on_copied: Callable[[Entry], None] | None = None) -> None:
        """Copy the phrase rendered with the context, asking for missing variables first.

        Nothing is copied when the template is broken or the form is cancelled.
        """
        try:
            rendered = self.render_entry(entry)
        except TemplateError as error:
            self.notify(t("launcher.template_error", error=error), severity="error")
            return
        if rendered.complete:
            self._copy_text(entry, rendered.text, on_copied)
            return
        from qr.screens.variables import VariablesForm

        def submitted(values: dict[str, str] | None) -> None:
            if values is None:
                return
            self.update_context(values)
            self._copy_text(entry, self.render_entry(entry).text, on_copied)

        self.push_screen(VariablesForm(entry, rendered.missing, self.var_specs(entry)), submitted)

    def _copy_text(self, entry: Entry, text: str, on_copied: Callable[[Entry], None] | None) -> None:
        """Copy, and say exactly what happened: "Copied" only after a verified copy.

        A failed copy is an error dialog that stays until dismissed (the launcher keeps its query
        and highlight). When the system clipboard fails inside a terminal, the reply is sent to
        the terminal's clipboard (OSC 52), which nothing can verify: the first time a dialog says
        so and why, later a warning each time; `--once` then exits with EXIT_UNVERIFIED, not 0.
        """
        try:
            copied = copy_with_fallback(self.clipboard_backend, text, self.terminal_clipboard())
        except ClipboardUnavailable as error:
            self._tell_copy_problem(t("copy.failed_title"), t("copy.failed_message", error=error))
            return
        phrase = entry.phrase
        exit_code = 0
        if copied.verified:
            done = t("launcher.copied", code=phrase.code) if phrase.code else t("launcher.copied_untitled", title=phrase.title)
            self.notify(f"{done} {t('launcher.via_system')}", timeout=3)
        elif not self._told_osc52:
            self._told_osc52 = True
            self._tell_copy_problem(t("copy.osc52_title"), t("copy.osc52_message", error=copied.problem), then_exit=EXIT_UNVERIFIED)
            exit_code = -1  # after the dialog is dismissed
        else:
            label = f"/{phrase.code}" if phrase.code else f"“{phrase.title}”"
            self.notify(t("copy.osc52_sent", phrase=label), severity="warning", timeout=6)
            exit_code = EXIT_UNVERIFIED
        self._record_use(entry)  # before on_copied, so the refreshed hits rank with this copy
        if on_copied is not None:
            on_copied(entry)
        if copied.verified and not self.once:
            self._paste()
        if self.once and exit_code >= 0:
            self.exit(return_code=exit_code)

    def _paste(self) -> None:
        """`--paste` while qr keeps running: the window that had the focus at start gets it back
        and the paste keystroke. Any reason it cannot is said once; qr stays copy-only then."""
        from qr.paste import PasteUnavailable

        problem = self._paste_problem
        if self.paster is not None and not self.paster.can_paste_now():
            problem = t("paste.no_target")
        elif self.paster is not None:
            try:
                self.paster.paste()
                return
            except PasteUnavailable as error:
                problem = str(error)
        if problem:
            self.notify(t("paste.unavailable", problem=problem), severity="warning", timeout=10)
            self.paster = None
            self._paste_problem = None

    def terminal_clipboard(self) -> Callable[[str], None] | None:
        """Where a reply goes when the system clipboard fails: the terminal's clipboard (OSC 52);
        None without a terminal (headless)."""
        return None if self.is_headless else self.copy_to_clipboard

    def _tell_copy_problem(self, title: str, message: str, then_exit: int | None = None) -> None:
        """An error that stays until the user dismisses it (Enter or Esc); with `--once`,
        dismissing it ends qr with `then_exit` (nothing was copied without it: qr stays)."""
        from qr.screens.dialogs import ChoiceDialog

        def dismissed(_answer: str | None) -> None:
            if self.once and then_exit is not None:
                self.exit(return_code=then_exit)

        self.bell()
        self.push_screen(ChoiceDialog(title, message, [("ok", t("dialog.ok"))], danger="ok"), dismissed)

    # -- actions -----------------------------------------------------------------------------------

    def action_help(self) -> None:
        from qr.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        """Quit; while a screen holds unsaved changes (an editor form), ask first (ctrl+q is on every screen)."""
        if not any(isinstance(screen, QrScreen) and screen.dirty for screen in self.screen_stack):
            self.exit()
            return
        from qr.screens.dialogs import confirm_dialog

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self.exit()

        self.push_screen(confirm_dialog(t("editor.quit_title"), t("editor.quit_message"), t("editor.quit_yes")), answered)

    def action_order_context(self) -> None:
        from qr.screens.variables import ContextForm

        if isinstance(self.screen, ContextForm):
            return

        def submitted(values: dict[str, str] | None) -> None:
            if values is not None:
                self.replace_context(values)

        self.push_screen(ContextForm(dict(self.context), self.var_specs()), submitted)

    def action_next_customer(self) -> None:
        self.context = EMPTY
        self.notify(t("launcher.context_cleared"), timeout=3)

    def _show_screen(self, kind: type[Screen], build: Callable[[], Screen]) -> None:
        """Bring up a screen of `kind`: back to the one already open (closing those above it), or a new one."""
        if any(isinstance(screen, kind) for screen in self.screen_stack):
            while not isinstance(self.screen, kind):
                self.pop_screen()
            return
        self.push_screen(build())

    def action_browser(self) -> None:
        from qr.screens.browser import BrowserScreen

        self._show_screen(BrowserScreen, lambda: BrowserScreen(self.workspace, self.practice_progress))

    def action_practice(self) -> None:
        from qr.screens.practice import PracticeScreen

        self._show_screen(PracticeScreen, lambda: PracticeScreen(self.workspace, self.practice_progress))

    def action_guide(self) -> None:
        from qr.screens.guide import GuideScreen

        self._show_screen(GuideScreen, lambda: GuideScreen(self.workspace.library))

    def action_draft_check(self) -> None:
        from qr.screens.draft_check import DraftCheckScreen

        self._show_screen(DraftCheckScreen, DraftCheckScreen)

    # -- usage ranking and profiles ----------------------------------------------------------------

    def usage_scores(self) -> dict[str, float]:
        """Frecency per code for the current profile (empty without a history or when it is
        unusable: the launcher then keeps library order). Computed once, then kept up to date."""
        if self.usage_store is None:
            return {}
        if self._usage_scores is None:
            self._usage_scores = self.usage_store.scores(self.workspace.profile_name)
            self._tell_usage_problem()
        return self._usage_scores

    def _record_use(self, entry: Entry) -> None:
        """Count a copy: (profile, code, time) only, never the text or a value."""
        code = entry.phrase.code
        if self.usage_store is None or not code:
            return
        if self.usage_store.record(self.workspace.profile_name, code) and self._usage_scores is not None:
            # a use made now weighs exactly 1 (see qr.usage): no need to read the file again
            self._usage_scores = {**self._usage_scores, code: self._usage_scores.get(code, 0.0) + 1.0}
        self._tell_usage_problem()

    def _tell_usage_problem(self) -> None:
        problem = self.usage_store.take_problem() if self.usage_store is not None else None
        if problem:
            self.notify(t("usage.problem", problem=problem), severity="warning", timeout=10)

    def action_switch_profile(self) -> None:
        from qr.config import ConfigError, profiles_of
        from qr.screens.launcher import LauncherScreen
        from qr.screens.profiles import ProfileSwitcher

        if not (isinstance(self.screen, LauncherScreen) and len(self.screen_stack) == 1):
            # other screens hold the current shop's libraries (an editor may have unsaved work)
            self.notify(t("profiles.only_launcher"), severity="warning")
            return
        try:
            profiles = profiles_of(self.workspace.config)
        except ConfigError as error:
            self.notify(t("profiles.failed", error=error), severity="error")
            return
        if not profiles:
            from qr.config import config_dir

            where = self.workspace.config.path or config_dir() / "config.toml"
            self.notify(t("profiles.none", path=where), severity="warning", timeout=12)
            return

        def chosen(name: str | None) -> None:
            if name is not None and name != self.workspace.profile_name:
                self.switch_profile(name)

        self.push_screen(ProfileSwitcher(list(profiles.values()), self.workspace.profile_name), chosen)

    def switch_profile(self, name: str) -> bool:
        """Work for another shop: load its libraries, forget the order context (it belongs to the
        other shop's customer), rank by its history and redraw. False (and a notice) on failure,
        leaving everything as it was."""
        from qr.config import ConfigError
        from qr.workspace import open_workspace

        try:
            workspace = open_workspace(config=self.workspace.config, profile=name)
        except ConfigError as error:
            self.notify(t("profiles.failed", error=error), severity="error")
            return False
        missing = [str(library.root) for library in workspace.libraries if not library.root.is_dir()]
        if missing:
            self.notify(t("profiles.failed", error=f"library folder not found: {missing[0]}"), severity="error")
            return False
        workspace.index  # build it before the redraw  # noqa: B018
        self.workspace = workspace
        self._usage_scores = None
        self.context = EMPTY
        for screen in self.screen_stack:
            if isinstance(screen, QrScreen):
                screen.workspace_changed()
        self.notify(t("profiles.switched", shop=workspace.shop or name, profile=name), timeout=5)
        if workspace.problems:
            first = workspace.problems[0]
            self.notify(t("launcher.problems", count=len(workspace.problems), first=first), severity="warning", timeout=10)
        return True

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            from qr.screens.palette import QrCommandPalette

            self.push_screen(QrCommandPalette(placeholder=t("palette.placeholder"), id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette's commands: the current screen's own (`palette_commands()`), then the app's."""
        if isinstance(screen, QrScreen):
            yield from screen.palette_commands()
        yield SystemCommand(t("cmd.help"), t("cmd.help.help"), self.action_help)
        yield SystemCommand(t("cmd.order_context"), t("cmd.order_context.help"), self.action_order_context)
        yield SystemCommand(t("cmd.next_customer"), t("cmd.next_customer.help"), self.action_next_customer)
        yield SystemCommand(t("cmd.browser"), t("cmd.browser.help"), self.action_browser)
        yield SystemCommand(t("cmd.practice"), t("cmd.practice.help"), self.action_practice)
        yield SystemCommand(t("cmd.guide"), t("cmd.guide.help"), self.action_guide)
        yield SystemCommand(t("cmd.draft_check"), t("cmd.draft_check.help"), self.action_draft_check)
        yield SystemCommand(t("cmd.switch_profile"), t("cmd.switch_profile.help"), self.action_switch_profile)
        yield SystemCommand(t("cmd.theme"), t("cmd.theme.help"), self.action_change_theme)
        yield SystemCommand(t("cmd.quit"), t("cmd.quit.help"), self.action_quit)


def known_binding_ids() -> set[str]:
    """Every binding id a keymap may name: each has its description in the catalogue."""
    from qr.i18n import EN

    return {key.removeprefix("binding.") for key in EN if key.startswith("binding.")}


def _resume_gc() -> None:
    # What start-up made (the library, the index, Textual's styles) stays for the session: frozen,
    # later collections need not walk it again on every keystroke's garbage.
    gc.freeze()
    gc.enable()


def _palette_commands() -> type:
    from qr.screens.palette import PinyinCommands

    return PinyinCommands


def _launcher_screen() -> Screen:
    from qr.screens.launcher import LauncherScreen

    return LauncherScreen()


def make_app(
    workspace: Workspace,
    *,
    clipboard: Clipboard | None = None,
    once: bool = False,
    ui_lang: str | None = None,
    now: Callable[[], datetime] | None = None,
    usage: UsageStore | None = None,
    cursor_blink: bool = True,
    watch_library: bool = True,
    paster: Paster | str | None = None,
) -> QrApp:
    """The one way to build qr's app (the CLI and the tests both call it).

    Args:
        workspace: the loaded library (see `qr.workspace.open_workspace`).
        clipboard: where replies go; the system clipboard by default (tests pass a MemoryClipboard).
        once: exit with status 0 after the first copy (`qr --once`, for a hotkey).
        ui_lang: "zh" or "en"; default: the config's `ui_lang`, else the locale.
        now: the clock for the built-ins `{today}`, `{now}`, `{weekday}` (tests pin it).
        usage: the copy history that ranks the hits and records each copy (the launcher gives
            `UsageStore()`); None: no ranking, nothing recorded.
        cursor_blink: False keeps text cursors steady (repeatable snapshots).
        watch_library: poll the library's files about once a second and reload the ones changed
            on disk (tests turn it off and call `app.live_reload.poll_now()`).
        paster: `--paste` (see qr.paste.start_paster): sends the paste keystroke after a verified
            copy; a string is why it cannot work here (said at the first copy); None: copy only.
    """
    return QrApp(
        workspace,
        clipboard=clipboard if clipboard is not None else SystemClipboard(),
        once=once,
        ui_lang=ui_lang,
        now=now,
        usage=usage,
        cursor_blink=cursor_blink,
        watch_library=watch_library,
        paster=paster,
    )
