"""The draft check (F7): the agent pastes or types a reply and sees, as they type, what lint's word
rules find in it (off-platform contact, review incentives, absolute terms …), each with what to
write instead. Enter copies the draft; with an error in it, only after a confirmation.

The draft is the agent's own text to a buyer: it is held in the text box only, never stored,
logged or counted (`qr check` on the command line is the same check).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static, TextArea

from qr.clipboard import ClipboardUnavailable, copy_with_fallback
from qr.i18n import t
from qr.screens.base import QrScreen, shown
from qr.screens.dialogs import confirm_dialog
from qr.screens.footer import QuietFooter
from qr.store.text_check import TextFinding, check_text
from qr.store.word_rules import word_rules


def finding_line(text: str, finding: TextFinding) -> Content:
    """One finding as a line: severity, position, and the message (plain text, never markup)."""
    line = text.count("\n", 0, finding.start) + 1
    column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
    style = "bold $error" if finding.severity == "error" else "bold $warning"
    return Content.assemble((f"{t('draft.' + finding.severity)} ", style), (f"{line}:{column}  ", "dim"), shown(str(finding.message)))


class DraftCheckScreen(QrScreen):
    """Check a draft reply before sending it.

    | Key | Does |
    | --- | --- |
    | enter | copy the draft (asks first when it has an error) |
    | ctrl+j | a new line in the draft |
    | escape | back |
    """

    TITLE_KEY = "screen.draft_check"
    CSS_PATH = "draft_check.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "copy", "Copy", id="draft.copy", priority=True),
        Binding("ctrl+j", "newline", "New line", id="draft.newline", priority=True),
        Binding("escape", "back", "Back", id="draft.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[TextFinding] = []

    def compose(self) -> ComposeResult:
        yield Static(t("draft.title"), id="draft-title")
        yield TextArea(id="draft-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        yield Static(t("draft.hint"), id="draft-hint", classes="hint")
        with VerticalScroll(id="draft-findings"):
            yield Static(id="draft-result")
        yield QuietFooter()

    def on_mount(self) -> None:
        super().on_mount()
        area = self.query_one("#draft-text", TextArea)
        if not self.app.cursor_blink:
            area.cursor_blink = False
        area.focus()
        self.refresh_findings()

    @property
    def draft(self) -> str:
        return self.query_one("#draft-text", TextArea).text

    @on(TextArea.Changed, "#draft-text")
    def refresh_findings(self) -> None:
        text = self.draft
        self.findings = check_text(text, word_rules(self.app.workspace.library)) if text.strip() else []
        result = self.query_one("#draft-result", Static)
        if not text.strip():
            result.update(Content(t("draft.empty")))
            return
        if not self.findings:
            result.update(Content.styled(t("draft.clean"), "bold $success"))
            return
        errors = sum(finding.severity == "error" for finding in self.findings)
        head = Content.styled(t("draft.count", errors=errors, warnings=len(self.findings) - errors), "bold")
        result.update(Content("\n").join([head, *(finding_line(text, finding) for finding in self.findings)]))

    def action_newline(self) -> None:
        self.query_one("#draft-text", TextArea).insert("\n")

    def action_copy(self) -> None:
        text = self.draft
        if not text.strip():
            self.notify(t("draft.nothing"), severity="warning", timeout=3)
            return
        errors = sum(finding.severity == "error" for finding in self.findings)
        if not errors:
            self._copy(text)
            return

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self._copy(text)

        self.app.push_screen(confirm_dialog(t("draft.confirm_title"), t("draft.confirm_message", errors=errors), t("draft.copy_anyway")), answered)

    def _copy(self, text: str) -> None:
        """Copy through the app's clipboard; "copied" only when the system clipboard took it."""
        try:
            copied = copy_with_fallback(self.app.clipboard_backend, text, self.app.terminal_clipboard())
        except ClipboardUnavailable as error:
            self.notify(t("draft.copy_failed", error=error), title=t("copy.failed_title"), severity="error", timeout=10)
            return
        if copied.verified:
            self.notify(f"{t('draft.copied')} {t('launcher.via_system')}", timeout=3)
        else:
            self.notify(t("draft.sent_to_terminal", error=copied.problem), severity="warning", timeout=8)

    def action_back(self) -> None:
        self.dismiss(None)
