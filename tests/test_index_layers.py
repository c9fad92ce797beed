"""The index package stays a headless layer: no module of `qr.index` (nor `qr.store`) imports
Textual, the screens or the app, and none imports another module's private names."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import qr.index
import qr.store

PACKAGES = {"qr.index": qr.index, "qr.store": qr.store}


def _modules() -> list[str]:
    return sorted(
        f"{name}.{info.name}" for name, package in PACKAGES.items() for info in pkgutil.iter_modules(package.__path__)
    )


def test_every_index_and_store_module_imports_without_textual():
    modules = _modules()
    assert "qr.index.phrase_index" in modules and "qr.index.cache" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith(('qr.screens', 'qr.app')))\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_no_module_imports_private_names_of_another():
    root = Path(qr.index.__file__).parent.parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qr"):
                offenders += [
                    f"{path.relative_to(root)}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert offenders == []
