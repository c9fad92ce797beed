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

    from qr.store.forked import available_cpus
    from qr.store.lint import lint as lint_library

    # Loading and linting are one batch over the whole library: the ~10^6 objects it makes live to
    # its end and hold no cycles worth collecting, yet the collector would walk them again and
    # again (~25 ms of a 0.6 s cold lint at 10,000 phrases). Back on for whatever runs after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        workspace = workspace_for(args, warn_problems=False, index=False)  # lint never searches: no pinyin
        processes = min(available_cpus(), MAX_PROCESSES)  # a big library is linted on several cores
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


COMMAND = Command("lint", "cli.lint", add_arguments, run)
