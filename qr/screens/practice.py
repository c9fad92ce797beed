"""Practice, for new hires: pick a category or group, answer rounds of questions, see a summary.

Forward rounds show a phrase's title and note and ask for its code; reverse rounds show a code and
offer four titles. The engine (Leitner boxes, scoring, SQLite progress) is `qr.practice`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import ContentSwitcher, Input, OptionList, Static
from textual.widgets.option_list import Option

from qr.i18n import t
from qr.practice import (
    LAST_BOX,
    LEARNED_BOX,
    ROUND_LIMIT,
    Feedback,
    Learned,
    Mode,
    PracticeError,
    PracticeRound,
    ProgressStore,
    RoundSummary,
    learned_in_group,
)
from qr.screens.base import QrScreen, SafeInput, plain, shown
from qr.screens.footer import QuietFooter
from qr.store.entry import Entry, entries_of
from qr.store.models import Group, Library
from qr.workspace import Workspace

Target = tuple[str, Sequence[Entry]]
"""What to practise: a label (category or group name) and its phrases."""


class PracticeScreen(QrScreen):
    """Learn the codes by heart.

    | Key | Does |
    | --- | --- |
    | enter | start the round / answer / go on after a miss |
    | ctrl+r | switch between forward (title → code) and reverse (code → title) |
    | 1-4 | choose a title in a reverse round |
    | escape | end the round early (progress so far is kept), else back |
    """

    TITLE_KEY = "screen.practice"
    CSS_PATH = "practice.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="practice.back"),
        Binding("ctrl+r", "switch_mode", "Forward/reverse", id="practice.mode"),
        Binding("enter", "again", "Again", show=False, id="practice.again"),
        Binding("1", "choose(0)", "Choice 1", show=False, id="practice.choice1"),
        Binding("2", "choose(1)", "Choice 2", show=False, id="practice.choice2"),
        Binding("3", "choose(2)", "Choice 3", show=False, id="practice.choice3"),
        Binding("4", "choose(3)", "Choice 4", show=False, id="practice.choice4"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        progress: ProgressStore,
        *,
        start: Target | None = None,
        from_browser: bool = False,
        mode: Mode = "forward",
        rng: random.Random | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.progress = progress
        self.mode: Mode = mode
        self.rng = rng or random.Random()
        self.today = today
        self._start = start
        self.from_browser = from_browser
        """Opened from the browser (F2 goes back there): the summary says so only then."""
        self._all: list[Entry] | None = None
        self._targets: list[tuple[str, Callable[[], list[Entry]]]] = []
        self._target: Target | None = None
        self.round: PracticeRound | None = None
        self.waiting = False
        """A miss is on screen: the next Enter goes on to the next question."""
        self.last_summary: RoundSummary | None = None

    def compose(self) -> ComposeResult:
        yield Static(t("practice.title"), id="practice-title")
        with ContentSwitcher(initial="practice-pick", id="practice-pages"):
            with Vertical(id="practice-pick"):
                yield Static(id="practice-mode")
                yield OptionList(id="practice-targets")
                yield Static(t("practice.pick_hint"), id="practice-pick-hint", classes="hint")
            with Vertical(id="practice-question"):
                yield Static(id="practice-progress")
                yield Static(id="practice-prompt")
                yield SafeInput(placeholder=t("practice.answer_placeholder"), id="practice-answer")
                yield OptionList(id="practice-choices")
                yield Static(id="practice-feedback")
            with Vertical(id="practice-summary"):
                yield Static(id="practice-result")
        yield QuietFooter()

    def on_mount(self) -> None:
        super().on_mount()
        if self.today is None:
            self.today = self.app.today()
        self._show_mode()
        self._fill_targets()
        if self._start is not None:
            self.start(self._start)
        else:
            self.query_one("#practice-targets", OptionList).focus()

    def workspace_changed(self) -> None:
        """The app now works on another workspace (a profile switch): back to picking from that one."""
        self.workspace = self.app.workspace
        self._all = None
        self.round = None
        self.waiting = False
        self._target = None
        self._fill_targets()
        self.query_one("#practice-pages", ContentSwitcher).current = "practice-pick"
        self.query_one("#practice-targets", OptionList).focus()

    # -- picking -----------------------------------------------------------------------------------

    def _fill_targets(self) -> None:
        """The pick list: everything, each category, each group, with how much of it is learned.

        Counted per group without building the phrases' entries: a round builds only its own.
        """
        groups: dict[str, list[tuple[Library, Group, Learned]]] = {}
        for library in self.workspace.libraries:
            for group in library.groups:
                score = learned_in_group(library, group, self.progress, self.today)
                if score.total:
                    groups.setdefault(group.category, []).append((library, group, score))

        def total(scores: Iterable[Learned]) -> Learned:
            scores = list(scores)
            return Learned(sum(s.learned for s in scores), sum(s.total for s in scores))

        def entries_of_groups(members: list[tuple[Library, Group, Learned]]) -> Callable[[], list[Entry]]:
            return lambda: [Entry(library, group, phrase) for library, group, _ in members for phrase in group.phrases]

        everything = [member for members in groups.values() for member in members]
        targets: list[tuple[str, Callable[[], list[Entry]]]] = [(t("practice.everything"), entries_of_groups(everything))]
        options = [self._option(0, t("practice.everything"), total(m[2] for m in everything), depth=0)]
        for category, members in groups.items():
            targets.append((category, entries_of_groups(members)))
            options.append(self._option(len(targets) - 1, category, total(m[2] for m in members), depth=1))
            for member in members:
                targets.append((member[1].name, entries_of_groups([member])))
                options.append(self._option(len(targets) - 1, member[1].name, member[2], depth=2))
        self._targets = targets
        targets_list = self.query_one("#practice-targets", OptionList)
        highlighted = targets_list.highlighted
        targets_list.clear_options()
        targets_list.add_options(options)
        if options:
            targets_list.highlighted = highlighted if highlighted is not None and highlighted < len(options) else 0

    def _option(self, position: int, label: str, score: Learned, depth: int) -> Option:
        indent = "  " * max(depth - 1, 0)
        style = "bold" if depth < 2 else ""
        return Option(
            Content.assemble(indent, (label, style), ("  " + t("browser.learned_short", learned=score.learned, total=score.total), "dim")),
            id=f"target-{position}",
        )

    def _pool(self) -> list[Entry]:
        """Every phrase, for reverse mode's wrong titles (built once, on the first reverse round)."""
        if self._all is None:
            self._all = entries_of(self.workspace.libraries)
        return self._all

    def _show_mode(self) -> None:
        name = t(f"practice.mode.{self.mode}")
        self.query_one("#practice-mode", Static).update(Content.assemble((t("ui.field", label=t("practice.mode")), "bold"), name, ("   " + t("practice.mode_hint"), "dim")))

    @on(OptionList.OptionSelected, "#practice-targets")
    def _target_chosen(self, event: OptionList.OptionSelected) -> None:
        label, entries = self._targets[event.option_index]
        self.start((label, entries()))

    def start(self, target: Target) -> None:
        """Begin a round over `target`'s phrases in the current mode."""
        label, entries = target
        try:
            self.round = PracticeRound(
                entries,
                self.progress,
                mode=self.mode,
                pool=self._pool() if self.mode == "reverse" else (),
                rng=self.rng,
                today=self.today,
                limit=ROUND_LIMIT,
            )
        except PracticeError:
            self.notify(t("practice.nothing", name=label), severity="warning")
            return
        self._target = target
        self.waiting = False
        self.query_one("#practice-feedback", Static).update("")
        self.query_one("#practice-pages", ContentSwitcher).current = "practice-question"
        self._ask()

    # -- asking ------------------------------------------------------------------------------------

    def _ask(self) -> None:
        assert self.round is not None
        question = self.round.next_question()
        if question is None:
            self._finish()
            return
        label = self._target[0] if self._target else ""
        self.query_one("#practice-progress", Static).update(
            t("practice.progress", label=label, number=question.number, left=self.round.remaining - 1, box=question.box, last=LAST_BOX)
            + (" · " + t("practice.again") if question.repeat else "")
        )
        prompt = self.query_one("#practice-prompt", Static)
        answer = self.query_one("#practice-answer", Input)
        choices = self.query_one("#practice-choices", OptionList)
        if question.mode == "forward":
            lines = [Content.styled(question.title, "bold")]
            if question.note:
                lines.append(Content.styled(question.note, "italic"))
            lines += [Content(""), Content(t("practice.ask_code"))]
            prompt.update(Content("\n").join(lines))
            answer.display, choices.display = True, False
            answer.value = ""
            answer.focus()
        else:
            prompt.update(Content("\n").join([Content.styled(f"/{question.code}", "bold $accent"), Content(""), Content(t("practice.ask_title"))]))
            answer.display, choices.display = False, True
            choices.clear_options()
            choices.add_options(Option(plain(f"{number}. {choice.phrase.title}")) for number, choice in enumerate(question.choices, 1))
            choices.highlighted = 0
            choices.focus()

    @on(Input.Submitted, "#practice-answer")
    def _code_submitted(self, event: Input.Submitted) -> None:
        if self.round is None:
            return
        if self.waiting:
            self._go_on()
            return
        self._answered(self.round.answer(event.value))

    @on(OptionList.OptionSelected, "#practice-choices")
    def _choice_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(event.option_index)

    def action_choose(self, index: int) -> None:
        if self.round is None:
            return
        if self.waiting:
            self._go_on()
            return
        if self.round.current is None or self.round.current.mode != "reverse" or index >= len(self.round.current.choices):
            return
        self._answered(self.round.answer(index))

    def _answered(self, feedback: Feedback) -> None:
        self.query_one("#practice-feedback", Static).update(self._feedback(feedback))
        if feedback.correct:
            self._ask()
            return
        # a miss stays on screen until Enter, so the right answer is read, not skipped
        self.waiting = True
        if feedback.question.mode == "forward":
            self.query_one("#practice-answer", Input).value = ""
        else:
            choices = self.query_one("#practice-choices", OptionList)
            choices.highlighted = feedback.question.answer_index

    def _go_on(self) -> None:
        self.waiting = False
        self.query_one("#practice-feedback", Static).update("")
        self._ask()

    def _feedback(self, feedback: Feedback) -> Content:
        code, title = f"/{feedback.expected_code}", feedback.expected_title
        if feedback.correct:
            text = t("practice.right", code=code, title=title, box=feedback.box)
            return Content.styled("✓ " + text, "bold $success")
        if feedback.question.mode == "forward":
            given = feedback.given.strip()
            text = t("practice.wrong_code", code=code, title=title, given=given) if given else t("practice.shown_code", code=code, title=title)
        else:
            text = t("practice.wrong_title", code=code, title=title)
        return Content.assemble(("✗ " + text, "bold $error"), "\n", (t("practice.continue"), "dim"))

    # -- the end of a round ------------------------------------------------------------------------

    def _finish(self) -> None:
        assert self.round is not None
        summary = self.last_summary = self.round.summary()
        self.round = None
        self.waiting = False
        label = self._target[0] if self._target else ""
        titles = {entry.phrase.code: entry.phrase.title for entry in (self._target[1] if self._target else ())}
        lines = [
            Content.styled(shown(t("practice.done", label=label)), "bold"),
            Content(""),
            Content(t("practice.score", asked=summary.asked, right=summary.right, wrong=summary.wrong)),
        ]
        if not summary.asked:
            lines.append(Content.styled(t("practice.none_answered"), "$warning"))
        elif summary.missed:
            lines.append(Content(t("practice.missed")))
            lines += [Content.assemble("  ", (f"/{code}", "bold $accent"), f"  {shown(titles.get(code, ''))}") for code in summary.missed]
        else:
            lines.append(Content.styled(t("practice.no_misses"), "$success"))
        lines += [
            Content(""),
            plain(t("practice.learned", label=label, learned=summary.learned.learned, total=summary.learned.total, box=LEARNED_BOX)),
        ]
        if not summary.saved:
            not_saved = t("ui.field", label=t("practice.not_saved")) + self.progress.problem if self.progress.problem else t("practice.not_saved")
            lines.append(Content.styled(not_saved, "$warning"))
        hint = t("practice.summary_hint") + (t("practice.summary_hint_browser") if self.from_browser else "")
        lines += [Content(""), Content.styled(hint, "dim")]
        self.query_one("#practice-result", Static).update(Content("\n").join(lines))
        self.query_one("#practice-pages", ContentSwitcher).current = "practice-summary"
        self._fill_targets()
        self.set_focus(None)  # Enter then reaches the screen's "again" binding

    def action_again(self) -> None:
        """From the summary: the same selection again (the misses, now in box 1, come first)."""
        pages = self.query_one("#practice-pages", ContentSwitcher)
        if pages.current == "practice-summary" and self._target is not None:
            self.start(self._target)

    # -- actions -----------------------------------------------------------------------------------

    def action_back(self) -> None:
        pages = self.query_one("#practice-pages", ContentSwitcher)
        if pages.current == "practice-question" and self.round is not None:
            self._finish()  # answers so far are already saved
        elif pages.current == "practice-summary":
            pages.current = "practice-pick"
            self.query_one("#practice-targets", OptionList).focus()
        else:
            self.dismiss()

    def action_switch_mode(self) -> None:
        self.mode = "reverse" if self.mode == "forward" else "forward"
        self._show_mode()
        self.notify(t("practice.mode_now", mode=t(f"practice.mode.{self.mode}")))

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(t("cmd.practice_mode"), t("cmd.practice_mode.help"), self.action_switch_mode)
