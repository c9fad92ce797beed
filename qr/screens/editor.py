"""The phrase editor (for leads): the form on the left, live checks and a preview on the right.

While the lead types: the code's uniqueness across the library, template errors with their
position, undefined variables and every lint finding for this phrase, and the reply rendered with
sample values (variable defaults, else their labels). ctrl+s saves the whole group file
atomically; a file changed on disk since it was loaded is never overwritten: the lead chooses to
reload (and save again on top of the new file) or to save the phrase into a new group file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Label, Static, TextArea

from qr.i18n import t
from qr.record import replace
from qr.render import TemplateError, library_defaults, parse, render
from qr.screens.base import LibraryChange, QrScreen, SafeInput, pictured, shown
from qr.screens.changes import apply_edit, library_for, phrase_label, phrase_position, tell_screens
from qr.screens.footer import QuietFooter
from qr.store import edit
from qr.store.lint import Finding, lint_phrase
from qr.store.load import InvalidFile, clean_asks, load_group
from qr.store.models import Group, Library, Phrase, is_valid_code, normalise_code
from qr.store.save import ConflictError, MergeConflict, SaveError

_TAG_SPLIT = re.compile(r"[,，、;；]")
_ASK_SPLIT = re.compile(r"[;；]")
ASK_SEPARATOR = "；"
SEVERITY_MARK = {"error": ("✗", "$text-error"), "warning": ("!", "$text-warning"), "info": ("i", "$text-muted")}
SAMPLE_STYLE = "italic $text-accent"
FILLED_STYLE = "underline $text-success"


class SafeTextArea(TextArea):
    """The body field: control characters drawn as pictures (␛), the text itself kept as typed."""

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        line.plain = pictured(line.plain)
        return line


@dataclass(frozen=True)
class Check:
    """One line of the live checks: a severity, a message, and the rule it comes from."""

    severity: str
    message: str
    rule: str = ""


def parse_tags(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tag.strip() for tag in _TAG_SPLIT.split(text) if tag.strip()))


def parse_asks(text: str) -> tuple[str, ...]:
    """Asks typed on one line, split at semicolons: buyer questions often hold commas."""
    return clean_asks(_ASK_SPLIT.split(text))


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date, None when empty; ValueError when it is not a date."""
    text = text.strip()
    return date.fromisoformat(text) if text else None


class PhraseEditor(QrScreen[None]):
    """Edit one phrase (or write a new one) of a group.

    | Key | Does |
    | :- | :- |
    | ctrl+s | save the group file (atomic; refused when the file changed on disk) |
    | tab / shift+tab | next / previous field (in the body too) |
    | escape | close (asks first when there are unsaved changes) |
    """

    TITLE_KEY = "screen.editor"
    CSS_PATH = "editor.tcss"
    AUTO_FOCUS = "#edit-title"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="editor.save", priority=True),
        Binding("escape", "close", "Close", id="editor.close", priority=True),
    ]

    def __init__(self, root: Path, group_path: Path, index: int | None, phrase: Phrase) -> None:
        """`index` None writes a new phrase into the group (`phrase` gives its starting values)."""
        super().__init__()
        self.root = root
        self.group_path = Path(group_path)
        self.index = index
        self.base: Phrase | None = phrase if index is not None else None
        """The phrase as it was when the form was filled (None for a new one)."""
        self.start = phrase
        self._saved_values: dict[str, str] = {}
        self._saving = False

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        phrase = self.start
        yield Static(id="editor-heading")
        with Horizontal(id="editor-main"):
            with Vertical(id="editor-form"):
                with Horizontal(classes="edit-row"):
                    yield Label(t("editor.code"), classes="edit-label")
                    yield SafeInput(phrase.code or "", id="edit-code", restrict=r"/?[A-Za-z0-9._-]*")
                    yield Label(t("editor.lang"), classes="edit-label edit-label-short")
                    yield SafeInput(phrase.lang, id="edit-lang")
                with Horizontal(classes="edit-row"):
                    yield Label(t("editor.title"), classes="edit-label")
                    yield SafeInput(phrase.title, id="edit-title", select_on_focus=False)  # the first key must not erase it
                yield Label(t("editor.body"), classes="edit-label edit-body-label")
                yield SafeTextArea(phrase.body, id="edit-body", soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
                with Horizontal(classes="edit-row"):
                    yield Label(t("editor.tags"), classes="edit-label")
                    yield SafeInput(", ".join(phrase.tags), id="edit-tags")
                with Horizontal(classes="edit-row"):
                    yield Label(t("editor.asks"), classes="edit-label")
                    yield SafeInput(ASK_SEPARATOR.join(phrase.asks), id="edit-asks", placeholder=t("editor.asks_placeholder"))
                with Horizontal(classes="edit-row"):
                    yield Label(t("editor.note"), classes="edit-label")
                    yield SafeInput(phrase.note, id="edit-note")
                with Horizontal(classes="edit-row"):
                    yield Label(t("editor.valid_from"), classes="edit-label")
                    yield SafeInput(str(phrase.valid_from or ""), id="edit-valid-from", placeholder="YYYY-MM-DD", restrict=r"[0-9-]*")
                    yield Label(t("editor.valid_until"), classes="edit-label edit-label-short")
                    yield SafeInput(str(phrase.valid_until or ""), id="edit-valid-until", placeholder="YYYY-MM-DD", restrict=r"[0-9-]*")
            with Vertical(id="editor-side"):
                with VerticalScroll(id="editor-checks", can_focus=False):
                    yield Static(id="editor-checks-text")
                with VerticalScroll(id="editor-preview", can_focus=False):
                    yield Static(id="editor-preview-text")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.query_one("#editor-checks").border_title = t("editor.checks")
        self.query_one("#editor-preview").border_title = t("editor.preview")
        if not self.app.cursor_blink:
            self.query_one(TextArea).cursor_blink = False
        self._saved_values = self.field_values()
        if self.base is None:
            self.query_one("#edit-code", Input).focus()  # a new phrase starts with its code
        self.refresh_checks()

    # -- the form's values -------------------------------------------------------------------------

    def field_values(self) -> dict[str, str]:
        values = {name: self.query_one(f"#edit-{name}", Input).value for name in ("code", "lang", "title", "tags", "asks", "note", "valid-from", "valid-until")}
        values["body"] = self.query_one(TextArea).text
        return values

    @property
    def dirty(self) -> bool:
        """True while the form holds changes that are not saved."""
        return bool(self._saved_values) and self.field_values() != self._saved_values

    def library(self) -> Library:
        return library_for(self.app, self.root) or Library(root=self.root)

    def group(self) -> Group | None:
        return self.library().group_by_path(self.group_path)

    def form_phrase(self) -> tuple[Phrase, list[Check]]:
        """The phrase the form describes (unknown keys of the original kept), and what is wrong
        with it beyond lint: a bad date, a bad or taken code, an empty title or body."""
        values = self.field_values()
        checks: list[Check] = []
        days: dict[str, date | None] = {}
        for name in ("valid-from", "valid-until"):
            try:
                days[name] = parse_day(values[name])
            except ValueError:
                days[name] = None
                checks.append(Check("error", t("editor.bad_date", field=t(f"editor.{name.replace('-', '_')}"), value=values[name].strip())))
        code = normalise_code(values["code"]) or None
        original = self.base or self.start
        phrase = replace(
            original,
            code=code,
            title=values["title"].strip(),
            body=values["body"],
            tags=parse_tags(values["tags"]),
            asks=parse_asks(values["asks"]),
            note=values["note"],
            lang=values["lang"].strip() or "zh",
            valid_from=days["valid-from"],
            valid_until=days["valid-until"],
        )
        library = self.library()
        if code is None:
            pass  # lint says "no code" (info)
        elif not is_valid_code(code):
            checks.append(Check("error", t("editor.code_invalid", code=code)))
        else:
            owner = edit.code_owner(library, code, ignore=self._self_position())
            if owner is not None:
                group, position = owner
                checks.append(Check("error", t("editor.code_taken", code=code, title=group.phrases[position].title, group=group.name)))
            else:
                checks.append(Check("ok", t("editor.code_free", code=code)))
        if not phrase.title:
            checks.append(Check("error", t("editor.title_empty")))
        if not phrase.body.strip():
            checks.append(Check("error", t("editor.body_empty")))
        if phrase.valid_from and phrase.valid_until and phrase.valid_until < phrase.valid_from:
            checks.append(Check("error", t("editor.window_reversed")))
        return phrase, checks

    def _self_position(self) -> tuple[Path, int] | None:
        if self.base is None:
            return None
        group = self.group()
        if group is None:
            return None
        position = phrase_position(group, self.base, self.index if self.index is not None else -1)
        if position is None:
            position = self._their_position(group)  # a teammate's version of this phrase keeps its code
        return (group.path, position) if position is not None else None

    def all_checks(self) -> tuple[Phrase, list[Check]]:
        phrase, checks = self.form_phrase()
        group = self.group() or Group(path=self.group_path, name=self.group_path.stem)
        try:
            findings: list[Finding] = lint_phrase(self.library(), group, phrase)
        except Exception as error:  # lint is growing in parallel: a bug there must not lose the form  # noqa: BLE001
            findings = []
            checks.append(Check("warning", t("editor.lint_failed", error=error)))
        checks += [Check(finding.severity, finding.message, finding.rule) for finding in findings]
        order = {"error": 0, "warning": 1, "info": 2, "ok": 3}
        return phrase, sorted(checks, key=lambda check: order.get(check.severity, 9))

    # -- live checks and preview -------------------------------------------------------------------

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        self.refresh_checks()

    def refresh_checks(self) -> None:
        phrase, checks = self.all_checks()
        lines = []
        for check in checks:
            mark, style = SEVERITY_MARK.get(check.severity, ("✓", "$text-success"))
            lines.append(Content.assemble((f"{mark} ", f"bold {style}"), (shown(str(check.message)), style if check.severity == "error" else "")))
        errors = sum(check.severity == "error" for check in checks)
        if not errors:
            lines.append(Content.styled("✓ " + t("editor.can_save"), "$text-success"))
        self.query_one("#editor-checks-text", Static).update(Content("\n").join(lines))
        self.query_one("#editor-preview-text", Static).update(self._preview(phrase))
        self._show_heading(phrase)

    def _preview(self, phrase: Phrase) -> Content:
        library = self.library()
        app = self.app
        builtins = app.workspace.builtins(phrase.lang, now=app.now())
        defaults = library_defaults(library)
        try:
            rendered = render(phrase.body, {}, defaults=defaults, builtins=builtins)
        except TemplateError as error:
            return Content.assemble(
                (shown(t("editor.preview_broken", line=error.line, column=error.column, message=error.message)), "$text-error"),
                "\n\n",
                shown(phrase.body),
            )
        if rendered.missing:
            samples = {
                name: f"‹{library.vars[name].display if name in library.vars else name}›" for name in rendered.missing
            }
            rendered = render(phrase.body, samples, defaults=defaults, builtins=builtins)
        pieces: list[tuple[str, str] | str] = []
        for segment in rendered.segments:
            text = shown(segment.text)
            if segment.kind == "text":
                pieces.append(text)
            elif segment.kind == "given":
                pieces.append((text, SAMPLE_STYLE))
            else:
                pieces.append((text, FILLED_STYLE))
        return Content.assemble(*pieces)

    def _show_heading(self, phrase: Phrase) -> None:
        group = self.group()
        where = f"{group.name if group else self.group_path.stem} · {self.group_path.as_posix()}"
        what = t("editor.heading_new") if self.base is None else t("editor.heading_edit", phrase=phrase_label(self.base))
        state = (t("editor.unsaved"), "bold $text-warning") if self.dirty else ("", "")
        self.query_one("#editor-heading", Static).update(Content.assemble((shown(what), "bold"), "  ", (shown(where), "$text-muted"), "  ", state))

    # -- saving ------------------------------------------------------------------------------------

    def action_save(self) -> None:
        phrase, checks = self.all_checks()
        errors = [check for check in checks if check.severity == "error"]
        if errors:
            self.app.bell()
            self.notify(t("editor.cannot_save", count=len(errors), first=errors[0].message), severity="error", timeout=8)
            self._show_template_error(phrase)
            return
        self.save(phrase)

    def _show_template_error(self, phrase: Phrase) -> None:
        """Put the body's cursor on a template error, so the lead sees where to fix it."""
        try:
            parse(phrase.body)
        except TemplateError as error:
            body = self.query_one(TextArea)
            body.focus()
            body.cursor_location = (error.line - 1, error.column - 1)

    def save(self, phrase: Phrase, *, replace_theirs: bool = False) -> bool:
        """Save `phrase` into the group; True when saved. Conflicts open a dialog instead."""
        library = self.library()
        group = library.group_by_path(self.group_path)
        if group is None:
            self._ask_group_gone(phrase)
            return False
        try:
            if self.base is None:
                result = edit.add_phrase(library, self.group_path, phrase)
            else:
                position = phrase_position(group, self.base, self.index if self.index is not None else -1)
                if position is None and replace_theirs:
                    position = self._their_position(group)
                if position is None and not replace_theirs:
                    self._ask_phrase_changed(phrase)
                    return False
                if position is None:
                    result = edit.add_phrase(library, self.group_path, phrase)
                else:
                    result = edit.update_phrase(library, self.group_path, position, phrase)
        except MergeConflict as error:
            self._ask_merge(phrase, error)
            return False
        except ConflictError as error:
            self._ask_conflict(phrase, str(error))
            return False
        except SaveError as error:
            self.notify(t("edit.failed", error=error), severity="error", timeout=10)
            return False
        self._saved(result, self._saved_message(result, phrase))
        return True

    def _saved_message(self, result: edit.Edit, phrase: Phrase) -> str:
        message = t("editor.saved", phrase=phrase_label(phrase), path=self.group_path.as_posix())
        if result.merged:  # a teammate saved other phrases of this file meanwhile: both are kept
            message += "\n" + t("save.merged", phrases=", ".join(result.merged))
        if result.references and self.base is not None and self.base.code:
            # the code was renamed: notes that name the old code are left for the lead to update
            self.notify(t("editor.old_code_referenced", code=self.base.code, where="; ".join(result.references)), severity="warning", timeout=15)
        return message

    def _saved(self, result: edit.Edit, message: str) -> None:
        saved = result.group
        assert saved is not None  # a phrase was saved into it
        self.group_path = saved.path
        self.index = result.index
        self.base = saved.phrases[result.index]
        self._saved_values = self.field_values()
        self._saving = True  # our own save is not news from the disk
        try:
            apply_edit(self.app, result, message)
        finally:
            self._saving = False
        self.refresh_checks()

    def _their_position(self, group: Group) -> int | None:
        """Where a teammate's version of this phrase is: same code, else the same place."""
        base = self.base
        if base is None:
            return None
        if base.code:
            for position, item in enumerate(group.phrases):
                if item.code == base.code:
                    return position
        if self.index is not None and 0 <= self.index < len(group.phrases) and group.phrases[self.index].title == base.title:
            return self.index
        return None

    # -- when someone else changed the file --

    def _ask_merge(self, phrase: Phrase, conflict: MergeConflict) -> None:
        """A teammate changed this very phrase: show both, let the lead choose; nothing is lost."""
        from qr.screens.merge import MergeDialog, merged_fields

        if not conflict.merge.conflicts:  # only group settings clash (name, order…): keep theirs, retry
            self._ask_conflict(phrase, str(conflict))
            return
        first = conflict.merge.conflicts[0]

        def answered(answer: str | None) -> None:
            if answer in ("mine", "theirs"):
                chosen = first.mine if answer == "mine" else first.theirs
                resolved = {item.key: (item.mine if answer == "mine" else item.theirs) for item in conflict.merge.conflicts}
                try:
                    result = edit.save_resolved(self.library(), conflict, resolved, chosen)
                except SaveError as error:
                    self.notify(t("edit.failed", error=error), severity="error", timeout=10)
                    return
                if chosen is None:  # they deleted it and the lead agreed: nothing is left to edit here
                    apply_edit(self.app, result, t("save.merged", phrases=first.label))
                    self.dismiss()
                    return
                if answer == "theirs":
                    self._fill(chosen)
                self._saved(result, self._saved_message(result, chosen))
            elif answer == "edit":
                self.reload_group()  # their file becomes the base; the form holds the merge to edit
                self._take_their_position()
                merged = merged_fields(first)
                if merged is not None and self.base is not None:
                    self._fill(self.base)
                    on_disk = self._saved_values
                    self._fill(merged)
                    self._saved_values = on_disk  # unsaved: the merged text is not on disk yet
                    self.refresh_checks()
            elif answer == "copy":
                self.save_as_new_file(phrase)

        self.app.push_screen(MergeDialog(first, self.group_path.as_posix()), answered)

    def _take_their_position(self) -> None:
        group = self.group()
        if group is not None and self.base is not None:
            position = self._their_position(group)
            if position is not None:
                self.index, self.base = position, group.phrases[position]

    def _ask_conflict(self, phrase: Phrase, reason: str) -> None:
        from qr.screens.dialogs import ChoiceDialog

        def answered(answer: str | None) -> None:
            if answer == "reload":
                self.reload_group()
            elif answer == "copy":
                self.save_as_new_file(phrase)

        self.app.push_screen(
            ChoiceDialog(
                t("editor.conflict_title"),
                t("editor.conflict_message", reason=reason),
                [("reload", t("editor.conflict_reload")), ("copy", t("editor.conflict_copy")), ("cancel", t("dialog.cancel"))],
            ),
            answered,
        )

    def _ask_phrase_changed(self, phrase: Phrase) -> None:
        from qr.screens.dialogs import ChoiceDialog

        def answered(answer: str | None) -> None:
            if answer == "replace":
                self.save(phrase, replace_theirs=True)
            elif answer == "copy":
                self.save_as_new_file(phrase)

        self.app.push_screen(
            ChoiceDialog(
                t("editor.changed_title"),
                t("editor.changed_message", phrase=phrase_label(self.base or phrase)),
                [("cancel", t("dialog.cancel")), ("replace", t("editor.changed_replace")), ("copy", t("editor.conflict_copy"))],
                danger="replace",
            ),
            answered,
        )

    def _ask_group_gone(self, phrase: Phrase) -> None:
        from qr.screens.dialogs import ChoiceDialog

        def answered(answer: str | None) -> None:
            if answer == "copy":
                self.save_as_new_file(phrase)

        self.app.push_screen(
            ChoiceDialog(
                t("editor.gone_title"),
                t("editor.gone_message", path=self.group_path.as_posix()),
                [("copy", t("editor.conflict_copy")), ("cancel", t("dialog.cancel"))],
            ),
            answered,
        )

    def reload_group(self) -> None:
        """Load the group file as it is on disk now; the form keeps what the lead typed."""
        library = self.library()
        group = None
        if (self.root / self.group_path).exists():
            try:
                group = load_group(self.root, self.group_path)
            except InvalidFile as error:
                self.notify(t("reload.broken", problem=error.problem), severity="error", timeout=10)
                return
        self.app.workspace.update_library(library.replace_group(self.group_path, group))
        tell_screens(self.app, LibraryChange(self.root, (self.group_path,)))
        self.notify(t("editor.reloaded", path=self.group_path.as_posix()), timeout=8)

    def save_as_new_file(self, phrase: Phrase) -> None:
        """Write the phrase into a new group file beside the old one (nothing is overwritten)."""
        library = self.library()
        old = library.group_by_path(self.group_path)
        name = f"{old.name if old else self.group_path.stem} {t('editor.copy_suffix')}"
        try:
            created = edit.new_group(library, name, category=old.category if old else "", folder=self.group_path.parent)
            assert created.group is not None  # new_group returns the group it made
            dropped = None
            if phrase.code and edit.code_owner(created.library, phrase.code) is not None:
                dropped, phrase = phrase.code, replace(phrase, code=None)
            result = edit.add_phrase(created.library, created.group.path, phrase)
        except SaveError as error:
            self.notify(t("edit.failed", error=error), severity="error", timeout=10)
            return
        if dropped:
            self.query_one("#edit-code", Input).value = ""
        message = t("editor.saved_copy", path=created.group.path.as_posix())
        if dropped:
            message += " " + t("editor.copy_code_dropped", code=dropped)
        self._saved(result, message)

    def library_changed(self, change: LibraryChange) -> None:
        """Live reload: refresh a clean form from disk; keep a dirty one and tell the lead."""
        if self._saving or change.root != self.root or self.group_path not in change.paths:
            self.refresh_checks()
            return
        if self.dirty:
            self.notify(t("editor.changed_on_disk_dirty", path=self.group_path.as_posix()), severity="warning", timeout=10)
            self.refresh_checks()
            return
        group = self.group()
        position = None
        if group is not None and self.base is not None:
            position = phrase_position(group, self.base, self.index if self.index is not None else -1)
            if position is None:
                position = self._their_position(group)
        if group is not None and position is not None and self.base is not None:
            self.index, self.base = position, group.phrases[position]
            self._fill(self.base)
            self.notify(t("editor.refreshed", path=self.group_path.as_posix()), timeout=4)
        elif self.base is not None:
            self.notify(t("editor.changed_on_disk_gone", path=self.group_path.as_posix()), severity="warning", timeout=10)
        self.refresh_checks()

    def _fill(self, phrase: Phrase) -> None:
        values = {
            "code": phrase.code or "", "lang": phrase.lang, "title": phrase.title, "tags": ", ".join(phrase.tags),
            "asks": ASK_SEPARATOR.join(phrase.asks), "note": phrase.note, "valid-from": str(phrase.valid_from or ""), "valid-until": str(phrase.valid_until or ""),
        }
        for name, value in values.items():
            self.query_one(f"#edit-{name}", Input).value = value
        self.query_one(TextArea).load_text(phrase.body)
        self._saved_values = self.field_values()

    # -- closing -----------------------------------------------------------------------------------

    def action_close(self) -> None:
        if not self.dirty:
            self.dismiss()
            return
        from qr.screens.dialogs import confirm_dialog

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self.dismiss()

        self.app.push_screen(confirm_dialog(t("editor.discard_title"), t("editor.discard_message"), t("editor.discard_yes")), answered)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(t("cmd.editor_save"), t("cmd.editor_save.help"), self.action_save)
        yield SystemCommand(t("cmd.editor_close"), t("cmd.editor_close.help"), self.action_close)
