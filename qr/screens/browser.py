"""The browser, for new hires: categories → groups → phrases as a tree, the selected phrase in full
(body with its variables highlighted, note, tags, language, validity) and each group's practice
progress. The filter box uses the launcher's search; Enter on a phrase copies it the launcher's way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from qr.i18n import t
from qr.practice import LAST_BOX, Learned, ProgressStore, is_practisable, learned_in_group, library_key
from qr.render import Placeholder, TemplateError, parse
from qr.screens.base import LibraryChange, SafeInput, localise_bindings, plain, shown
from qr.screens.edit_actions import EditingScreen
from qr.screens.footer import QuietFooter
from qr.store.entry import Entry
from qr.store.models import Group, Library
from qr.workspace import Workspace

FILTER_LIMIT = 2_000
"""The filter keeps the best this many hits: ranking 30,000 hits of a common word in a library of
100,000 takes seconds, 2,000 take 40 ms (bench/browser.py), and nobody reads past them."""
OPEN_ALL_HITS = 200
"""A filter with at most this many hits opens every group that has one; with more they stay closed."""


GroupKey = tuple[str, str]
"""(library root, group file): a group's identity across reloads."""


def group_key(entry: Entry) -> GroupKey:
    return (str(entry.library.root), str(entry.group.path))


@dataclass
class GroupInfo:
    """One group of the catalogue; its Entry objects are built when it is first opened."""

    key: GroupKey
    library: Library
    group: Group
    _entries: tuple[Entry, ...] | None = field(default=None, repr=False)

    @property
    def entries(self) -> tuple[Entry, ...]:
        if self._entries is None:
            self._entries = tuple(Entry(self.library, self.group, phrase) for phrase in self.group.phrases)
        return self._entries

    @property
    def size(self) -> int:
        return len(self.group.phrases)


@dataclass(frozen=True)
class CategoryNode:
    name: str
    keys: tuple[GroupKey, ...]


@dataclass(frozen=True)
class GroupNode:
    key: GroupKey
    group: Group
    shown: tuple[Entry, ...] | None = None
    """The phrases a filter left (None: all of them)."""


NodeData = CategoryNode | GroupNode | Entry


def highlighted_body(body: str) -> Content:
    """The template with each `{variable}` in the accent colour (a broken template as written)."""
    try:
        parts = parse(body)
    except TemplateError:
        return plain(body)
    pieces: list[str | tuple[str, str]] = []
    for part in parts:
        if isinstance(part, Placeholder):
            pieces.append((shown(body[part.start : part.end]), "bold $accent"))
        else:
            pieces.append(shown(part))
    return Content.assemble(*pieces)


class LibraryTree(Tree[NodeData]):
    """The tree with → / ← opening and closing branches, as in a file manager."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right", "open_branch", "Open", show=False, id="browser.open"),
        Binding("left", "close_branch", "Close", show=False, id="browser.close"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)

    def action_open_branch(self) -> None:
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if node.is_expanded and node.children:
            self.move_cursor(node.children[0])
        else:
            node.expand()  # the screen adds a group's phrases when it opens (Tree.NodeExpanded)

    def action_close_branch(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)


class BrowserScreen(EditingScreen):
    """Browse the library by category and group; see when to use each phrase.

    | Key | Does |
    | --- | --- |
    | ↑ ↓ | move in the tree |
    | → / ← or space | open / close a category or group |
    | enter | copy the phrase (asks for missing variables) |
    | ctrl+f | filter the tree (same search as the launcher) |
    | escape | clear the filter, else back to the launcher |
    """

    TITLE_KEY = "screen.browser"
    CSS_PATH = "browser.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="browser.back"),
        Binding("ctrl+f", "focus_filter", "Filter", id="browser.filter"),
        Binding("ctrl+t", "practise", "Practise", id="browser.practise"),
    ]

    def __init__(self, workspace: Workspace, progress: ProgressStore, *, today: date | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.progress = progress
        self.today = today
        self._query = ""
        self._groups: dict[GroupKey, GroupInfo] = {}
        """Every group in library order."""
        self._categories: dict[str, list[GroupKey]] = {}
        self._scores: dict[GroupKey, Learned] = {}
        self._mounting = True

    # -- building ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(t("browser.title"), id="browser-title")
        yield SafeInput(placeholder=t("browser.filter_placeholder"), id="browser-filter")
        with Horizontal(id="browser-body"):
            tree = LibraryTree(t("browser.root"), id="browser-tree")
            tree.show_root = False
            tree.guide_depth = 2
            yield tree
            with VerticalScroll(id="browser-detail"):
                yield Static(id="browser-phrase")
        yield Static(id="browser-status")
        yield QuietFooter()

    def on_mount(self) -> None:
        super().on_mount()
        if self.today is None:
            self.today = self.app.today()
        self.reload()
        self.query_one("#browser-tree", Tree).focus()

    def on_screen_resume(self) -> None:
        # practice may have moved phrases between boxes, or the editor changed the library
        if self._mounting:
            self._mounting = False  # the first resume follows the mount, which has just loaded
        elif self.is_mounted:
            self.reload()

    def library_changed(self, change: LibraryChange) -> None:
        """Rebuild the tree from the new library, the cursor on the phrase just saved when given."""
        self.reload()
        if change.highlight is None:
            return
        path, phrase = change.highlight
        stack = list(self.library_tree.root.children)
        while stack:
            node = stack.pop()
            data = node.data
            if isinstance(data, Entry):
                if data.library.root == change.root and data.group.path == path and data.phrase == phrase:
                    self.library_tree.move_cursor(node)
                    return
            else:
                stack.extend(node.children)

    def workspace_changed(self) -> None:
        """Show the new workspace (a profile switch), the filter cleared."""
        self.workspace = self.app.workspace
        self.query_one("#browser-filter", Input).value = ""
        self._query = ""
        self.reload()

    def reload(self) -> None:
        """Read the library's groups and the practice scores afresh, then rebuild the tree."""
        self._groups, self._categories, self._scores = {}, {}, {}
        for library in self.workspace.libraries:
            root = str(library.root)
            for group in library.groups:
                key = (root, str(group.path))
                self._groups[key] = GroupInfo(key, library, group)
                self._categories.setdefault(group.category, []).append(key)
                self._scores[key] = learned_in_group(library, group, self.progress, self.today)
        self.rebuild()

    @property
    def library_tree(self) -> Tree[NodeData]:
        return self.query_one("#browser-tree", Tree)

    @property
    def current_entry(self) -> Entry | None:
        """The phrase under the tree's cursor (what the editor's e/n/d/m act on)."""
        node = self.library_tree.cursor_node
        return node.data if node is not None and isinstance(node.data, Entry) else None

    def _hits(self) -> tuple[dict[str, dict[GroupKey, list[Entry]]], int, Entry | None]:
        """The filter's hits as category -> group -> entries (library order), their count, the best."""
        hits = self.workspace.index.search(self._query, limit=FILTER_LIMIT, today=self.today)
        arranged: dict[str, dict[GroupKey, list[Entry]]] = {}
        for hit in sorted(hits, key=lambda hit: hit.index):
            entry = hit.entry
            arranged.setdefault(entry.group.category, {}).setdefault(group_key(entry), []).append(entry)
        return arranged, len(hits), hits[0].entry if hits else None

    def rebuild(self) -> None:
        """Build the tree for the current filter.

        While filtering, the cursor goes to the best hit (as the launcher's first line); otherwise it
        stays on the phrase, group or category it was on. A group's phrases are added when it opens,
        so a library of 100,000 phrases builds a tree of a few hundred groups, not 100,000 nodes.
        """
        tree = self.library_tree
        filtering = bool(self._query.strip())
        arranged: dict[str, dict[GroupKey, list[Entry] | None]]
        before: NodeData | None
        if filtering:
            arranged_hits, matched, before = self._hits()
            arranged = {category: dict(groups) for category, groups in arranged_hits.items()}
        else:
            arranged = {category: dict.fromkeys(keys) for category, keys in self._categories.items()}
            matched = sum(info.size for info in self._groups.values())
            before = tree.cursor_node.data if tree.cursor_node is not None else None
        before_group = group_key(before) if isinstance(before, Entry) else None
        open_all = filtering and matched <= OPEN_ALL_HITS
        tree.clear()
        target: TreeNode[NodeData] | None = None
        for category, groups in arranged.items():
            count = sum(len(hits) if hits is not None else self._groups[key].size for key, hits in groups.items())
            category_node = tree.root.add(
                Text.assemble((shown(category), "bold"), f"  ({count})"), CategoryNode(category, tuple(groups)), expand=True
            )
            if _same(before, category_node.data):
                target = category_node
            for key, hits in groups.items():
                info = self._groups.get(key)
                if info is None:  # the index is older than this screen's view of the library
                    continue
                group_node = category_node.add(
                    self._group_label(info, hits), GroupNode(key, info.group, None if hits is None else tuple(hits))
                )
                if _same(before, group_node.data):
                    target = group_node
                if open_all or key == before_group:
                    self._fill(group_node)
                    group_node.expand()
                if key == before_group:
                    target = next((leaf for leaf in group_node.children if _same(before, leaf.data)), target)
        self._status(matched)
        # new nodes get their line numbers when the tree lays out its lines, normally on idle;
        # lay them out now so the cursor can be placed in this same call (textual 8.2 Tree)
        tree._tree_lines  # noqa: B018
        if target is not None:
            tree.move_cursor(target)
        elif tree.root.children:
            tree.move_cursor(tree.root.children[0])
        self._show(tree.cursor_node.data if tree.cursor_node is not None else None)

    def _fill(self, node: TreeNode[NodeData]) -> None:
        """Add a group's phrase leaves (once)."""
        data = node.data
        if isinstance(data, GroupNode) and not node.children:
            entries = data.shown if data.shown is not None else self._groups[data.key].entries
            for entry in entries:
                node.add_leaf(self._phrase_label(entry), entry)

    def _group_label(self, info: GroupInfo, hits: list[Entry] | None) -> Text:
        score = self._scores[info.key]
        count = f"{len(hits)}/{info.size}" if hits is not None else str(info.size)
        label = Text.assemble(shown(info.group.name), f"  ({count})")
        if score.total:
            style = "green" if score.learned == score.total else "dim"
            label.append("  " + t("browser.learned_short", learned=score.learned, total=score.total), style=style)
        return label

    def _phrase_label(self, entry: Entry) -> Text:
        phrase = entry.phrase
        code = f"/{phrase.code}" if phrase.code else "—"
        label = Text.assemble((f"{code:<8}", "bold"), " ", shown(phrase.title))
        if not phrase.is_valid_on(self.today or date.today()):
            label.append(" " + t("browser.hidden_mark"), style="dim italic")
        return label

    def _status(self, matched: int) -> None:
        total = sum(info.size for info in self._groups.values())
        everything = Learned(sum(s.learned for s in self._scores.values()), sum(s.total for s in self._scores.values()))
        if not self._query.strip():
            count = t("browser.count", total=total)
        elif matched >= FILTER_LIMIT:
            count = t("browser.count_capped", shown=matched, total=total)
        else:
            count = t("browser.count_filtered", shown=matched, total=total)
        parts = [
            count,
            t("browser.learned_total", learned=everything.learned, total=everything.total),
        ]
        if self.progress.problem:
            parts.append(t("practice.not_saved"))
        self.query_one("#browser-status", Static).update(Content(" · ".join(parts)))

    # -- the detail pane ---------------------------------------------------------------------------

    def _show(self, data: NodeData | None) -> None:
        pane = self.query_one("#browser-phrase", Static)
        if isinstance(data, Entry):
            pane.update(self._phrase_detail(data))
        elif isinstance(data, GroupNode):
            pane.update(self._group_detail(data))
        elif isinstance(data, CategoryNode):
            pane.update(self._category_detail(data))
        else:
            pane.update(plain(t("browser.no_match", query=self._query) if self._query.strip() else t("launcher.empty_library")))

    def _phrase_detail(self, entry: Entry) -> Content:
        phrase = entry.phrase
        today = self.today or date.today()
        lines: list[Content | str | tuple[str, str]] = [
            Content.assemble((shown(phrase.title), "bold")),
            Content.assemble(
                (f"/{phrase.code}" if phrase.code else t("browser.no_code"), "bold $accent" if phrase.code else "dim"),
                ("  ·  ", "dim"),
                shown(f"{entry.group.name} · {entry.group.category}"),
            ),
            "",
            highlighted_body(phrase.body.strip("\n")),
            "",
        ]

        def field(label: str, value: str) -> None:
            lines.append(Content.assemble((t("ui.field", label=label), "bold"), shown(value)))

        if phrase.note:
            field(t("preview.note"), phrase.note)
        if phrase.tags:
            field(t("preview.tags"), "、".join(phrase.tags))
        if phrase.asks:
            field(t("preview.asks"), " · ".join(phrase.asks))
        field(t("browser.lang"), phrase.lang)
        field(t("browser.validity"), self._validity(entry, today))
        if is_practisable(entry, self.today):
            box = self.progress.box(library_key(entry.library), phrase.code or "")
            field(t("browser.practice"), t("browser.box", box=box, last=LAST_BOX))
        lines += ["", Content.styled(t("browser.enter_copies"), "dim")]
        return Content("\n").join(_content(line) for line in lines)

    def _validity(self, entry: Entry, today: date) -> str:
        phrase = entry.phrase
        if phrase.valid_from is None and phrase.valid_until is None:
            return t("browser.always")
        window = f"{phrase.valid_from or '…'} – {phrase.valid_until or '…'}"
        if phrase.valid_until is not None and phrase.valid_until < today:
            return f"{window} · {t('browser.expired')}"
        if phrase.valid_from is not None and phrase.valid_from > today:
            return f"{window} · {t('browser.not_yet')}"
        return window

    def _group_detail(self, node: GroupNode) -> Content:
        score = self._scores[node.key]
        lines: list[Content | str] = [
            Content.assemble((shown(node.group.name), "bold"), ("  ·  ", "dim"), shown(node.group.category)),
        ]
        if node.group.description:
            lines.append(node.group.description)
        lines += [
            "",
            t("browser.phrases", count=len(node.group.phrases)),
            t("browser.learned_long", learned=score.learned, total=score.total),
            "",
            Content.styled(t("browser.group_hint"), "dim"),
        ]
        return Content("\n").join(_content(line) for line in lines)

    def _category_detail(self, node: CategoryNode) -> Content:
        lines: list[Content | str] = [Content.styled(shown(node.name), "bold"), ""]
        for key in self._categories.get(node.name, ()):
            score = self._scores[key]
            name = self._groups[key].group.name
            lines.append(f"{name}  {t('browser.learned_short', learned=score.learned, total=score.total)}")
        return Content("\n").join(_content(line) for line in lines)

    # -- events and actions ------------------------------------------------------------------------

    @on(Tree.NodeHighlighted, "#browser-tree")
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._show(event.node.data)

    @on(Tree.NodeExpanded, "#browser-tree")
    def _expanded(self, event: Tree.NodeExpanded) -> None:
        self._fill(event.node)

    @on(Tree.NodeSelected, "#browser-tree")
    def _selected(self, event: Tree.NodeSelected) -> None:
        if isinstance(event.node.data, Entry):
            self.copy(event.node.data)

    @on(Input.Changed, "#browser-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._query = event.value
        self.rebuild()

    @on(Input.Submitted, "#browser-filter")
    def _filter_submitted(self) -> None:
        self.library_tree.focus()

    def on_key(self, event) -> None:
        # ↓ from the filter box goes into the tree, as in the launcher
        if event.key == "down" and self.focused is self.query_one("#browser-filter", Input):
            self.library_tree.focus()
            event.stop()

    def action_focus_filter(self) -> None:
        self.query_one("#browser-filter", Input).focus()

    def action_back(self) -> None:
        field = self.query_one("#browser-filter", Input)
        if field.value:
            field.value = ""
            self.library_tree.focus()
        else:
            self.dismiss()

    def action_practise(self) -> None:
        """Practise the group (or category) under the cursor."""
        from qr.screens.practice import PracticeScreen

        data = self.library_tree.cursor_node.data if self.library_tree.cursor_node is not None else None
        if isinstance(data, Entry) and group_key(data) in self._groups:
            entries, label = list(self._groups[group_key(data)].entries), data.group.name
        elif isinstance(data, GroupNode):
            entries, label = list(self._groups[data.key].entries), data.group.name
        elif isinstance(data, CategoryNode):
            entries = [entry for key in self._categories.get(data.name, ()) for entry in self._groups[key].entries]
            label = data.name
        else:
            return
        self.app.push_screen(PracticeScreen(self.workspace, self.progress, start=(label, entries), from_browser=True))

    def copy(self, entry: Entry) -> None:
        """Copy through the app's flow (the launcher's): missing variables are asked for first."""
        self.app.copy_entry(entry)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(t("cmd.browser_filter"), t("cmd.browser_filter.help"), self.action_focus_filter)
        yield SystemCommand(t("cmd.browser_practise"), t("cmd.browser_practise.help"), self.action_practise)
        yield from super().palette_commands()


def _same(before: object, data: object) -> bool:
    if isinstance(before, Entry) and isinstance(data, Entry):
        return before.phrase is data.phrase or (before.group.path == data.group.path and before.phrase == data.phrase)
    if isinstance(before, GroupNode) and isinstance(data, GroupNode):
        return before.key == data.key
    if isinstance(before, CategoryNode) and isinstance(data, CategoryNode):
        return before.name == data.name
    return False


def _content(line: Content | str | tuple[str, str]) -> Content:
    if isinstance(line, Content):
        return line
    if isinstance(line, tuple):
        return Content.styled(shown(line[0]), line[1])
    return plain(line)
