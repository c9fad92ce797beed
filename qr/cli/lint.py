"""`qr lint [--json]`: check the library; exit 1 when there is an error."""

from __future__ import annotations

from qr.cli import Command, out, print_json, tr, workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from qr.store.lint import Finding

MAX_PROCESSES = 4
"""Beyond this, forking more processes (each with its share of the findings to send back) saves
little on the libraries qr is made for."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="cli.lint.json")


def run(args: argparse.Namespace) -> int:
    import gc
    from functools import partial

    from qr.store import forked
    from qr.store.lint import lint as lint_library

    # Loading and linting are one batch over the whole library: the ~10^6 objects it makes live to
    # its end and hold no cycles worth collecting, yet the collector would walk them again and
    # again (~25 ms of a 0.6 s cold lint at 10,000 phrases). Back on for whatever runs after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        processes = min(forked.available_cpus(), MAX_PROCESSES)  # a big library is linted on several cores
        warming = forked.start(partial(_warm_caches, args)) if processes > 1 else None
        try:
            workspace = workspace_for(args, warn_problems=False, index=False)  # lint never searches: no pinyin
        finally:
            if warming is not None:
                warming.result()  # the tables are on disk now (if the child failed, lint builds them)
        if len(workspace.libraries) > 1:
            from qr.store.shadowing import lint_libraries  # a profile: also codes shadowed across libraries

            findings = lint_libraries(workspace.libraries, workspace.problems, processes=processes)
        else:
            findings = lint_library(workspace.library, workspace.problems, processes=processes)
    finally:
        if collecting:
            gc.enable()
    errors = sum(1 for finding in findings if finding.severity == "error")
    if args.json:
        print_json([finding.as_json() for finding in findings])
        return 1 if errors else 0
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(str(finding.file), []).append(finding)
    for file, items in sorted(by_file.items()):
        out(file)
        for finding in sorted(items, key=lambda f: (f.line, f.column)):
            code = f" /{finding.code}" if finding.code else ""
            out(f"  {finding.line}:{finding.column}  {finding.severity:<7} {finding.rule}{code}  {finding.message}")
    warnings = sum(1 for finding in findings if finding.severity == "warning")
    phrases = sum(len(group.phrases) for library in workspace.libraries for group in library.groups)
    groups = sum(len(library.groups) for library in workspace.libraries)
    out(tr("cli.lint.summary", phrases=phrases, groups=groups, errors=errors, warnings=warnings, notes=len(findings) - errors - warnings))
    return 1 if errors else 0


def _warm_caches(args: argparse.Namespace) -> None:
    """Run in a forked child while the parent loads: the word rules' tables of the libraries
    `args` names, built and kept on disk (a first run, or the first after a word list changed).
    A library or config that cannot be read is left to the parent to report."""
    from qr.config import load_config, resolve_libraries, select_profile
    from qr.store.word_rules import warm_caches

    config = load_config()
    option = str(args.library) if getattr(args, "library", None) else None
    profile = select_profile(getattr(args, "profile", None), config, library_option=option)
    warm_caches(resolve_libraries(option, config, profile))


COMMAND = Command("lint", "cli.lint", add_arguments, run)
