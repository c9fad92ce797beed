"""The launcher: type /code, words or pinyin; the hits update on every keystroke; Enter copies.

Focus stays in the query; the arrow and page keys move the highlight in the hit list. Tab puts
focus on the hit list, where single-letter keys can be bound (the editor's e/n/d/m): any other
printable key typed there goes back to the query.

Beyond the screen contract (qr.screens.base): `current_entry` (what Enter copies and the edit
actions work on), `refresh_hits()` (search again keeping query and highlight) and
`set_indicator(name, text)` (a quiet label on the status line).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content, Span
from textual.events import Key, Paste
from textual.geometry import Size
from textual.visual import VisualType
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qr.i18n import t
from qr.index.spans import title_spans
from qr.render import Rendered, TemplateError
from qr.screens.base import LibraryChange, SafeInput, localise_bindings, plain, shown
from qr.screens.edit_actions import EditingScreen
from qr.screens.footer import QuietFooter
from qr.screens.team_check import INDICATOR as TEAM_INDICATOR
from qr.screens.team_check import RemoteCheck
from qr.store.entry import Entry, Hit
from qr.store.models import normalise_code

LIVE_INDICATOR = "live"

PAGE = 50
"""Hits drawn per query at first: each drawn hit costs ~0.15 ms, searching 10k phrases ~1-2 ms."""
MAX_HITS = 1000
"""Moving the highlight near the end draws more, up to this many (browsing it all is the browser's job)."""

OUTSIDE_WINDOW = "outside_window"
"""`Hit.where` of a phrase typed by its exact /code while outside its valid_from/valid_until window:
search hides such phrases (an expired promotion), so it is listed first, marked, and copied only
after a confirm, instead of looking as if the code did not exist."""
EXIT_CANCELLED = 130
"""`qr --once` closed with Esc on an empty query: nothing copied (as a shell's Ctrl-C, 128+SIGINT)."""
FAST_PICKS = 9
"""alt+1 … alt+9 copy the first nine hits; their numbers are shown beside them."""

OPTION_DIGITS = {"¡": 1, "™": 2, "£": 3, "¢": 4, "∞": 5, "§": 6, "¶": 7, "•": 8, "ª": 9}
"""Most terminals send alt+digit as ESC followed by the digit, which Textual 8.2 reads as these
macOS Option characters (see textual._ansi_sequences): they mean alt+1 … alt+9 here too."""

MATCH_STYLE = "bold underline $text-accent"
PICK_STYLE = "$text-muted"
CODE_STYLE = "bold $text-primary"
GROUP_STYLE = "$text-muted"
FILLED_STYLE = "underline $text-success"
GIVEN_STYLE = "bold underline $text-success"
MISSING_STYLE = "bold reverse $text-error"


class QueryInput(SafeInput):
    """The query box: editing keys as usual, but the list keys move the hit list's highlight.

    | Key | Does |
    | :- | :- |
    | up / down | previous / next hit |
    | pageup / pagedown | a page of hits up / down |
    | home / end | first / last hit (ctrl+a / ctrl+e move the text cursor) |
    | enter | copy the highlighted hit |
    | escape | clear the query |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.copy", "Copy", id="launcher.copy"),
        Binding("escape", "screen.clear_query", "Clear", id="launcher.clear"),
        Binding("up", "screen.move('cursor_up')", "Up", show=False, id="launcher.up"),
        Binding("down", "screen.move('cursor_down')", "Down", show=False, id="launcher.down"),
        Binding("pageup", "screen.move('page_up')", "Page up", show=False, id="launcher.page_up"),
        Binding("pagedown", "screen.move('page_down')", "Page down", show=False, id="launcher.page_down"),
        Binding("home", "screen.move('first')", "First", show=False, id="launcher.first"),
        Binding("end", "screen.move('last')", "Last", show=False, id="launcher.last"),
        Binding("tab", "screen.focus_hits", "Hit list", show=False, id="launcher.hits"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)

    def on_key(self, event: Key) -> None:
        # runs before Input's own key handler, which would type the character into the query
        number = OPTION_DIGITS.get(event.character or "")
        if number is not None:
            event.stop()
            event.prevent_default()
            screen = self.screen
            if isinstance(screen, LauncherScreen):
                screen.action_pick(number)

    def _on_paste(self, event: Paste) -> None:
        """A pasted buyer message searches as one line (Input keeps only the first line)."""
        text = " ".join(event.text.split())
        if text:
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *self.selection)
        event.stop()
        event.prevent_default()  # Input's own handler would insert the first line again


class HitList(OptionList):
    """The hits. When it has focus, printable keys nobody has bound go back to the query."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,shift+tab", "screen.focus_query", "Back to query", id="hits.query"),
        Binding("tab", "screen.focus_query", "Back to query", show=False, id="hits.query_tab"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)
        self._laid_out: tuple[Size, Size, Size] | None = None

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        # Every layout of the screen hands the list the virtual size of its visible part, which
        # Textual's ScrollView compares with the list's own (all its rows): they differ whenever the
        # list scrolls, so each keystroke that laid anything out (the query's width, a preview of
        # another height) repainted the scrollbar in one more frame. The list updates its scrollbar
        # itself when its rows change; here only a new size or container size needs it.
        laid_out = (size, container_size, self.virtual_size)
        if laid_out == self._laid_out:
            return False
        self._laid_out = laid_out
        return super()._size_updated(size, virtual_size, container_size, layout)

    def on_key(self, event: Key) -> None:
        if not event.is_printable or event.key in self.screen.active_bindings:
            return
        number = OPTION_DIGITS.get(event.character or "")
        if number is not None:  # alt+digit as the terminal sent it
            event.stop()
            screen = self.screen
            if isinstance(screen, LauncherScreen):
                screen.action_pick(number)
            return
        event.stop()
        event.prevent_default()
        query = self.screen.query_one(QueryInput)
        query.focus()
        query.insert_text_at_cursor(event.character or "")


class PreviewText(Static):
    """A part of the preview (title, body, state, note, tags). A keystroke that keeps the same
    phrase highlighted leaves it alone, and new text of the same height is only repainted: a layout
    is a pass over the whole screen and, as Textual settles the new sizes, one more frame."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self._shown: object = None

    def show(self, content: Content | str) -> None:
        """Show `content`, unless it is shown already (same text and spans)."""
        if _same(self._shown, content):
            return
        width, height = self.content_region.width, self.content_region.height
        self.update(content, layout=False)
        if not width or self.get_content_height(self.size, self.app.size, width) != height:
            self.refresh(layout=True)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        self._shown = content  # whoever updates it, `show` compares with what is on screen
        super().update(content, layout=layout)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        # When a layout gives a widget a new size, Textual sets its virtual (scrollable) size as a
        # reactive that asks for one more layout, and so one more frame. This text does not scroll
        # and the layout that resized it has drawn it at the new size in the same frame: settle the
        # size without the second pass (which redrew the same lines a frame later).
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class LauncherScreen(EditingScreen):
    """The agents' screen: query, hits, preview of the reply, order context on the status line."""

    TITLE_KEY = "screen.launcher"
    SHOWS_PROFILE = True  # on the status line
    BINDINGS: ClassVar[list[BindingType]] = [
        # F8 and F9 side by side: back and on (F7 is the draft check)
        Binding("f9", "screen.live_step(1)", "Next product", show=False, id="launcher.live_next"),
        Binding("f8", "screen.live_step(-1)", "Previous product", show=False, id="launcher.live_previous"),
        *(
            Binding(f"alt+{number}", f"pick({number})", f"Copy hit {number}", show=False, id=f"launcher.pick{number}")
            for number in range(1, FAST_PICKS + 1)
        ),
    ]
    CSS_PATH = "launcher.tcss"
    AUTO_FOCUS = "#query"

    def __init__(self) -> None:
        super().__init__()
        self._hits: list[Hit] = []
        self._limit = PAGE
        self._relevance_for: object = None
        self._indicators: dict[str, str] = {}
        self._preview_title: str | None = None

    def compose(self) -> ComposeResult:
        yield QueryInput(placeholder=t("launcher.placeholder"), id="query", select_on_focus=False)
        with Horizontal(id="body"):
            yield HitList(id="hits")
            with VerticalScroll(id="preview", can_focus=False):
                yield PreviewText(id="preview-title")
                yield PreviewText(id="preview-body")
                yield PreviewText(id="preview-state")
                yield PreviewText(id="preview-note")
                yield PreviewText(id="preview-tags")
        with Horizontal(id="status"):
            yield Static(id="profile-status")  # the shop being served: always in view with a profile
            yield Static(id="context-status")
            yield Static(id="indicators")
        yield RemoteCheck()  # hidden: marks a team library that is behind its remote
        yield QuietFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "context", self._context_changed, init=False)
        self.app.refresh_live()
        self.refresh_hits()
        self._show_status()

    # -- hooks for other screens -------------------------------------------------------------------

    @property
    def query_text(self) -> str:
        return self.query_one(QueryInput).value

    @property
    def hits(self) -> list[Hit]:
        return list(self._hits)

    @property
    def current_hit(self) -> Hit | None:
        highlighted = self.query_one(HitList).highlighted
        if highlighted is None or not 0 <= highlighted < len(self._hits):
            return None
        return self._hits[highlighted]

    @property
    def current_entry(self) -> Entry | None:
        """The highlighted phrase (what Enter would copy)."""
        hit = self.current_hit
        return hit.entry if hit else None

    def refresh_hits(self, keep_highlight: bool = True) -> None:
        """Search again with the current query (after the library or usage changed), keeping the
        highlight on the same phrase when it is still among the hits."""
        previous = _identity(self.current_entry) if keep_highlight else None
        if not keep_highlight:
            self._limit = PAGE
        self._draw_hits(previous)

    def _draw_hits(self, keep: tuple | None) -> None:
        query = self.query_text
        index = self.app.workspace.index
        if index is not self._relevance_for:
            self._prepare_relevance(index)
        today = self.app.today()
        self._hits = index.search(query, limit=self._limit, usage=self.usage(), today=today)
        selling = self._selling_codes()
        if selling and not query.strip():  # the empty query lists the product now selling first
            found = (index.search(f"/{code}", limit=1, today=today) for code in selling)
            self._hits = [hits[0] for hits in found if hits and hits[0].entry.phrase.code in selling] + self._hits
        self._hits = _selling_first(self._hits, selling)
        hidden = _outside_window_hit(index, query, today)
        if hidden is not None:
            self._hits.insert(0, hidden)
        hit_list = self.query_one(HitList)
        with self.app.batch_update():
            hit_list.set_options(_option(index, hit, query, number) for number, hit in enumerate(self._hits, 1))
            position = 0
            if keep is not None:
                position = next((i for i, hit in enumerate(self._hits) if _identity(hit.entry) == keep), 0)
            hit_list.highlighted = position if self._hits else None
        total = len(index)
        shown = len(self._hits)
        hit_list.border_title = (
            t("launcher.count_all", total=total) if not query.strip() and shown >= total
            else t("launcher.count", shown=f"{shown}+" if shown == self._limit else shown, total=total)
        )
        if not self._hits:
            self._show_preview()  # with hits, the highlight set above posts OptionHighlighted, which previews

    def _prepare_relevance(self, index) -> None:
        """A big library's relevance index (sentence queries) is loaded or built in a thread after
        the first frame, never on a keystroke: until it is there, sentences get the tiers' hits, and
        the current query is searched again when it arrives. A daemon thread: quitting never waits
        for a build."""
        from qr.index.sentences import defer_relevance

        self._relevance_for = index
        if defer_relevance(index):
            self.call_after_refresh(
                lambda: threading.Thread(target=self._relevance_in_thread, args=(index,), daemon=True, name="qr-relevance").start()
            )

    def _relevance_in_thread(self, index) -> None:
        from qr.index.fields import CacheDamaged
        from qr.index.sentences import prepare_relevance

        try:
            prepare_relevance(index)
        except (OSError, ValueError, CacheDamaged):
            return  # a damaged or since-closed cache: its searches keep the tiers (a reload rebuilds it)
        try:
            self.app.call_from_thread(self._relevance_arrived, index)
        except RuntimeError:
            pass  # the app has closed meanwhile

    def _relevance_arrived(self, index) -> None:
        if index is self.app.workspace.index and self.is_attached and self.query_text.strip():
            self.refresh_hits()

    def _draw_more_if_near_the_end(self) -> None:
        highlighted = self.query_one(HitList).highlighted
        if highlighted is None or len(self._hits) < self._limit or self._limit >= MAX_HITS:
            return
        if highlighted >= len(self._hits) - 5:
            self._limit = min(self._limit * 2, MAX_HITS)
            self._draw_hits(_identity(self.current_entry))

    def usage(self) -> dict[str, float]:
        """How much the user uses each code (ranks ties and the empty query); none until ranking exists."""
        return self.app.usage_scores()

    def _selling_codes(self) -> tuple[str, ...]:
        """Codes of the live-stream product now selling, in template order: they rank first."""
        selling = self.app.live_selling
        if selling is None:
            return ()
        live_day, product = selling
        return live_day.codes.get(product.position, ())

    def library_changed(self, change: LibraryChange) -> None:
        """Search again, keeping the highlight (or moving it to the phrase just saved)."""
        self.app.refresh_live()  # a day's sheet may have been imported or cleaned
        self._show_live()
        self.refresh_hits()
        if change.highlight is None:
            return
        path, phrase = change.highlight
        for position, hit in enumerate(self._hits):
            entry = hit.entry
            if entry.library.root == change.root and entry.group.path == path and entry.phrase == phrase:
                self.query_one(HitList).highlighted = position
                return

    def workspace_changed(self) -> None:
        """Search the new workspace afresh and redraw the status."""
        self.query_one(QueryInput).value = ""
        self.app.refresh_live()
        self.refresh_hits(keep_highlight=False)
        self._show_status()

    def set_indicator(self, name: str, text: str | None) -> None:
        """Show (or with None remove) a short label at the right of the status line."""
        if text:
            self._indicators[name] = text
        else:
            self._indicators.pop(name, None)
        self.query_one("#indicators", Static).update(plain(" · ".join(self._indicators.values())))

    def on_remote_check_behind(self, message: RemoteCheck.Behind) -> None:
        self.set_indicator(TEAM_INDICATOR, t("team.behind", count=message.commits) if message.commits else None)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(t("cmd.clear_query"), t("cmd.clear_query.help"), self.action_clear_query)
        if self.app.live_selling is not None:
            yield SystemCommand(t("cmd.live_next"), t("cmd.live_next.help"), lambda: self.action_live_step(1))
            yield SystemCommand(t("cmd.live_previous"), t("cmd.live_previous.help"), lambda: self.action_live_step(-1))
        yield from super().palette_commands()

    # -- events ------------------------------------------------------------------------------------

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        # Keys that arrive together (a burst, typing faster than a frame) have all changed the
        # query before the first of their Changed messages gets here, and each search reads the
        # query as it is now: draw once, for the last of them (whose value is the query's), and
        # let the stale ones go. The last one always comes, so the hits end on the final query.
        if event.value != self.query_text:
            return
        self.refresh_hits(keep_highlight=False)

    @on(OptionList.OptionHighlighted, "#hits")
    def _highlight_changed(self) -> None:
        self._show_preview()
        self._draw_more_if_near_the_end()

    @on(OptionList.OptionSelected, "#hits")
    def _hit_chosen(self) -> None:
        self.action_copy()

    def _context_changed(self, _context) -> None:
        self._show_status()
        self._show_preview()

    # -- actions -----------------------------------------------------------------------------------

    def action_live_step(self, step: int) -> None:
        """Move "now selling" to the next (1) or previous (-1) product of today's sheet."""
        if self.app.live_selling is None:
            self.app.refresh_live()  # imported since the launcher opened?
        if self.app.live_selling is None:
            self.notify(t("live.no_sheet_today", date=self.app.today().isoformat()), severity="warning")
            return
        self.app.step_live(step)
        self._show_live()
        self.refresh_hits(keep_highlight=False)
        self._show_preview()

    def _show_live(self) -> None:
        selling = self.app.live_selling
        if selling is None:
            self.set_indicator(LIVE_INDICATOR, None)
            return
        live_day, product = selling
        price = product.values.get("price")
        self.set_indicator(
            LIVE_INDICATOR,
            t("live.indicator", n=product.position, count=len(live_day.products), product=product.name)
            + (f" {price}" if price else ""),
        )

    def action_move(self, how: str) -> None:
        hit_list = self.query_one(HitList)
        if how == "last" and len(self._hits) >= self._limit and self._limit < MAX_HITS:
            self._limit = MAX_HITS  # End means the last hit, not the last one drawn so far
            self._draw_hits(_identity(self.current_entry))
        getattr(hit_list, f"action_{how}")()

    def action_pick(self, number: int) -> None:
        """Copy the hit numbered `number` (1-based, as shown beside the first hits)."""
        if not 1 <= number <= min(len(self._hits), FAST_PICKS):
            self.app.bell()
            return
        self.query_one(HitList).highlighted = number - 1
        self.app.copy_entry(self._hits[number - 1].entry, on_copied=self._copied)

    def action_copy(self) -> None:
        hit = self.current_hit
        if hit is None:
            self.app.bell()
            return
        if hit.where == OUTSIDE_WINDOW:
            self._confirm_outside_window(hit.entry)
            return
        self._copied_query = self.query_text
        self.app.copy_entry(hit.entry, on_copied=self._copied)

    def _confirm_outside_window(self, entry: Entry) -> None:
        """Copy a phrase outside its window only when the agent says so (the first answer, focused,
        is Cancel: Enter alone sends nothing)."""
        from qr.screens.dialogs import ChoiceDialog  # as the edit actions do: only when asked

        query = self.query_text

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self._copied_query = query
                self.app.copy_entry(entry, on_copied=self._copied)

        phrase = entry.phrase
        message = t(
            "launcher.window_confirm",
            code=phrase.code,
            title=phrase.title,
            outside=_outside_text(entry, self.app.today()),
        )
        answers = [("no", t("dialog.cancel")), ("yes", t("launcher.window_copy"))]
        self.app.push_screen(ChoiceDialog(t("launcher.window_title"), message, answers, danger="yes"), answered)

    def action_clear_query(self) -> None:
        if self.app.once and not self.query_text:
            self.app.exit(return_code=EXIT_CANCELLED)  # the popup closes: cancel is not a copy
            return
        self.query_one(QueryInput).value = ""
        self.action_focus_query()

    def action_focus_hits(self) -> None:
        if self._hits:
            self.query_one(HitList).focus()

    def action_focus_query(self) -> None:
        self.query_one(QueryInput).focus()

    def _copied(self, entry: Entry) -> None:
        self._learn_ask(entry, getattr(self, "_copied_query", ""))
        self.action_clear_query()

    def _learn_ask(self, entry: Entry, query: str) -> None:
        """With `learn_asks = true`, remember the (cleaned) query that led to this copy."""
        workspace = self.app.workspace
        if workspace.config.extra.get("learn_asks") is not True or not entry.phrase.code or not query.strip():
            return
        from qr.learned_asks import LearnedAsks

        store = LearnedAsks()
        store.record(workspace.profile_name, entry.phrase.code, query)
        store.close()

    # -- drawing -----------------------------------------------------------------------------------

    def _show_preview(self) -> None:
        entry = self.current_entry
        show = self._preview_update
        preview = self.query_one("#preview", VerticalScroll)
        if entry is None:
            empty = not len(self.app.workspace.index)
            show("preview-title", plain(t("launcher.empty_library") if empty else t("launcher.no_hits", query=self.query_text)))
            for name in ("preview-body", "preview-state", "preview-note", "preview-tags"):
                show(name, "")
            self._set_preview_title("")
            return
        phrase = entry.phrase
        self._set_preview_title(f"/{phrase.code}" if phrase.code else "")
        show(
            "preview-title",
            Content.assemble(
                (shown(phrase.title), "bold"),
                ("  ", ""),
                (shown(entry.group.name), GROUP_STYLE),
            ),
        )
        try:
            rendered = self.app.render_entry(entry)
        except TemplateError as error:
            show("preview-body", plain(phrase.body))
            show("preview-state", Content.styled(shown(t("launcher.template_error", error=error)), "$text-error"))
        else:
            show("preview-body", _body_content(rendered, self.query_text))
            if rendered.missing:
                names = "、".join(self.app.var_label(name, entry) for name in rendered.missing)
                message = Content.styled(shown(t("preview.missing", names=names)), "$text-error")
            else:
                message = Content.styled(t("preview.ready"), "$text-success")
            if any(segment.kind not in ("text", "missing") for segment in rendered.segments):
                message = Content.assemble(message, "\n", (t("preview.legend"), GROUP_STYLE))
            hit = self.current_hit
            if hit is not None and hit.where == OUTSIDE_WINDOW:
                outside = Content.styled(shown(_outside_text(entry, self.app.today())), "bold $text-error")
                message = Content.assemble(outside, "\n", message)
            show("preview-state", message)
        show("preview-note", Content.assemble((t("preview.note"), "bold"), "\n", shown(phrase.note)) if phrase.note else "")
        extra = []
        if phrase.tags:
            extra.append(Content.assemble((t("preview.tags"), "bold"), "  ", shown(" · ".join(phrase.tags))))
        if phrase.valid_from or phrase.valid_until:
            extra.append(Content(t("preview.valid", start=phrase.valid_from or "…", end=phrase.valid_until or "…")))
        show("preview-tags", Content("\n").join(extra) if extra else "")
        preview.scroll_home(animate=False)

    def _preview_update(self, name: str, content: Content | str) -> None:
        self.query_one(f"#{name}", PreviewText).show(content)

    def _set_preview_title(self, title: str) -> None:
        """The preview's border title (the phrase's /code); setting it repaints the whole preview."""
        if title != self._preview_title:
            self._preview_title = title
            self.query_one("#preview", VerticalScroll).border_title = title

    def _show_status(self) -> None:
        app = self.app
        context = app.context
        specs = app.var_specs()
        names = ["customer", "order_id"] + [name for name in specs if name in context]
        names += [name for name in context if name not in names]
        parts: list[Content] = []
        for name in dict.fromkeys(names):
            value = context.get(name)
            parts.append(
                Content.assemble(
                    (shown(app.var_label(name)) + " ", GROUP_STYLE),
                    (shown(value), "bold $text-success") if value else (t("status.unset"), GROUP_STYLE),
                )
            )
        self.query_one("#context-status", Static).update(Content("  ").join(parts))
        profile = self.app.workspace.profile
        profile_status = self.query_one("#profile-status", Static)
        profile_status.display = profile is not None
        if profile is not None:
            shop = self.app.workspace.shop or profile.name
            profile_status.update(
                Content.assemble((f" {t('status.profile')} {shown(shop)} ", "bold reverse $text-accent"), (f" {shown(profile.name)}", GROUP_STYLE))
            )
        workspace = app.workspace
        # with a profile the shop is already on the left of the status line: say it once
        where = [part for part in (None if profile is not None else workspace.shop, workspace.library.name) if part]
        self.set_indicator("library", " / ".join(dict.fromkeys(where)) or str(workspace.library.root.name))
        self._show_live()


def _same(before: object, content: Content | str) -> bool:
    """Whether `before` (what a widget shows) is `content`: same text and, for Content, same spans
    (Content's == compares the text alone)."""
    if isinstance(content, Content):
        return isinstance(before, Content) and content.is_same(before)
    return isinstance(before, str) and before == content


def _selling_first(hits: list[Hit], codes: tuple[str, ...]) -> list[Hit]:
    """`hits` with the phrases of the product now selling first, each part in its own order."""
    if not codes:
        return hits
    first: dict[str, Hit] = {}
    for hit in hits:
        code = hit.entry.phrase.code
        if code in codes and code not in first:
            first[code] = hit
    return [*first.values(), *(hit for hit in hits if hit.entry.phrase.code not in codes)] if first else hits


def _outside_window_hit(index, query: str, today: date) -> Hit | None:
    """The phrase whose exact code is `query` ("/code") when search hid it for being outside its window."""
    typed = query.strip()
    if not typed.startswith("/") or " " in typed or len(typed) < 2:
        return None
    entry = index.by_code(typed[1:])
    if entry is None or entry.phrase.is_valid_on(today):
        return None
    position = index.first_with_code(normalise_code(typed[1:]))
    return Hit(entry, 100.0, OUTSIDE_WINDOW, -1 if position is None else position)


def _outside_text(entry: Entry, today: date) -> str:
    """Why a phrase is hidden on `today`: expired or not started yet, naming its window."""
    phrase = entry.phrase
    window = f"{phrase.valid_from or '…'} – {phrase.valid_until or '…'}"
    expired = phrase.valid_until is not None and phrase.valid_until < today
    return t("launcher.window_expired" if expired else "launcher.window_not_yet", window=window, today=today.isoformat())


def _identity(entry: Entry | None) -> tuple | None:
    """What stays the same for a phrase across a reload (entries are rebuilt, not mutated)."""
    if entry is None:
        return None
    return (str(entry.library.root), str(entry.group.path), entry.phrase.code or entry.phrase.title)


def _option(index, hit: Hit, query: str, number: int) -> Option:
    """One hit as one line: its alt+number (the first nine), code, title, group; built from
    spans directly (assembling is 3x slower)."""
    phrase = hit.phrase
    pick = f"{number} " if number <= FAST_PICKS else "  "
    code = pick + (f"/{phrase.code}" if phrase.code else "·").ljust(8)
    title = shown(phrase.title)
    group = shown(hit.group.name)
    title_start = len(code) + 1
    group_start = title_start + len(title)
    spans = [Span(0, len(pick), PICK_STYLE), Span(len(pick), len(code), CODE_STYLE)]
    typed = query.strip().lower()
    if typed.startswith("/") and phrase.code:
        prefix = typed[1:].split(" ", 1)[0]
        if prefix and phrase.code.startswith(prefix):
            spans.append(Span(len(pick) + 1, len(pick) + 1 + len(prefix), MATCH_STYLE))
    if title == phrase.title:  # match positions are in the title as written
        spans.extend(Span(title_start + start, title_start + end, MATCH_STYLE) for start, end in title_spans(index, hit, query))
    spans.append(Span(group_start, group_start + 2 + len(group), GROUP_STYLE))
    line = f"{code} {title}  {group}"
    if hit.where == OUTSIDE_WINDOW:
        mark = "  " + t("launcher.window_mark")
        spans.append(Span(len(line), len(line) + len(mark), "bold $text-error"))
        line += mark
    return Option(Content(line, spans))


def _body_content(rendered: Rendered, query: str = "") -> Content:
    """The rendered reply, variables styled by where their value came from; for a query that reads
    like a sentence (a pasted message), the words it shares with the reply marked."""
    from qr.index.sentences import is_long

    marked = is_long(query)
    pieces: list[tuple[str, str] | str | Content] = []
    for segment in rendered.segments:
        text = shown(segment.text)
        if segment.kind == "text":
            if marked:
                from qr.index.explain import matched_words

                spans = [Span(start, end, MATCH_STYLE) for start, end in matched_words(text, query)]
                pieces.append(Content(text, spans) if spans else text)
            else:
                pieces.append(text)
        elif segment.kind == "missing":
            pieces.append((text, MISSING_STYLE))
        elif segment.kind == "given":
            pieces.append((text, GIVEN_STYLE))
        else:
            pieces.append((text, FILLED_STYLE))
    return Content.assemble(*pieces)
