"""The house rules the code structure keeps (issue #13), read from the source with `ast`:

- the store and the index import neither Textual nor the UI (`qr.screens`, `qr.app`);
- no two modules of qr import each other, directly or in a circle, counting imports inside
  functions (they run too, only later); `if TYPE_CHECKING:` imports are for the type checker only;
- screens are not probed with getattr/hasattr: what a screen offers is the contract in
  qr/screens/base.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

QR = Path(__file__).resolve().parent.parent / "qr"
UI = ("textual", "rich", "qr.screens", "qr.app")
INDEX_MODULES = ("qr.search", "qr.index_cache", "qr.reindex", "qr.pinyin", "qr.workspace")
"""The index before and after it became a package (`qr.index`): whichever of these exist."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(QR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(QR.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str) -> set[str]:
    """Every module `name` imports at run time (module level and inside functions): for
    `from package import thing`, the submodule when `thing` is one, else the package."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
        stack.extend(ast.iter_child_nodes(node))
    return found


GRAPH = {name: {target for target in imports_of(name) if target in MODULES and target != name} for name in MODULES}


def test_the_graph_sees_function_level_and_skips_type_checking_imports():
    # qr.app imports the screens inside its actions; the screens name QrApp for the type checker only
    assert "qr.screens.variables" in GRAPH["qr.app"]
    assert "qr.app" not in GRAPH["qr.screens.base"]
    assert "qr.store.models" in GRAPH["qr.store.load"]


def test_store_and_index_import_no_ui():
    guarded = [name for name in MODULES if name.startswith(("qr.store", "qr.index")) or name in INDEX_MODULES]
    assert "qr.store.load" in guarded
    offenders = {
        name: sorted(target for target in imports_of(name) if target.split(".")[0] in UI or target.startswith(UI))
        for name in guarded
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_circle_through_three_modules():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_between_modules():
    # A package's __init__ re-exporting its submodules is not a circle with them: a submodule
    # importing a sibling goes through the package's __init__ only by Python's mechanics.
    graph = {
        name: {target for target in targets if not (MODULES[target].name == "__init__.py" and name.startswith(target + "."))}
        for name, targets in GRAPH.items()
    }
    assert _cycles(graph) == []


PROBE = re.compile(r"\b(getattr|hasattr)\(\s*(self\.)?(app\.)?screen\b|\b(getattr|hasattr)\(\s*screen\b")


def test_screens_are_not_probed():
    offenders = [
        f"{path.relative_to(QR.parent)}:{number}: {line.strip()}"
        for path in MODULES.values()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PROBE.search(line)
    ]
    assert offenders == []


def test_the_probe_pattern_catches_the_old_ways():
    for line in ('hook = getattr(screen, "library_changed", None)', 'set_indicator = getattr(self.screen, "set_indicator", None)',
                 'if hasattr(screen, "refresh_hits"):', 'x = getattr(self.app.screen, "dirty", False)'):
        assert PROBE.search(line), line
    assert not PROBE.search("name = screen.display_name if isinstance(screen, QrScreen) else type(screen).__name__")
