"""From what a reader found to group files: codes checked and made unique, templates built,
conflicts with the target library resolved, and the files written atomically (or not at all).

Codes are decided from the file alone (`a`, `a-2`, `a-3` for three phrases under `a`, in the
file's own order), so importing the same file twice gives the same codes: the second time they all
conflict and are left alone, or with `--replace` update the phrases in place.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qr.messages import Message
from qr.record import replace as replace_fields
from qr.render import BUILTINS, check
from qr.store.load import LIBRARY_FILE, load_library
from qr.store.models import Group, Library, Phrase, normalise_code
from qr.store.save import SaveError, atomic_write, dumps_group, save_group
from qr.transfer.codes import ascii_code, initials_code, slug
from qr.transfer.entries import Candidate, Notice, Parsed, TransferError
from qr.transfer.templates import build_template, title_from

IMPORT_CATEGORY = "导入"
CHUNK = 1000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportPlan:
    """What an import will write; `write_plan` carries it out, a dry run only prints it."""

    root: Path
    library: Library
    create_library: bool
    new_groups: tuple[Group, ...]
    replacements: tuple[tuple[Group, Group], ...]
    """(group as loaded, group with the imported phrases put in place of the old ones)."""
    replaced: int
    notices: tuple[Notice, ...]
    parsed: Parsed

    @property
    def imported(self) -> int:
        return sum(len(group.phrases) for group in self.new_groups)

    def count(self, kind: str) -> int:
        return sum(1 for notice in self.notices if notice.kind == kind)

    @property
    def writes_anything(self) -> bool:
        return bool(self.new_groups or self.replacements)


@dataclass
class _Prepared:
    """Work state of one candidate while codes are decided (mutable; the Phrase is made once at the end)."""

    candidate: Candidate
    title: str
    body: str
    base: str | None
    """The code before suffixes; None when the row has no code, "" when it must be generated."""
    code: str | None = None

    @property
    def phrase(self) -> Phrase:
        candidate = self.candidate
        return Phrase(
            title=self.title,
            body=self.body,
            code=self.code,
            tags=candidate.tags,
            note=candidate.note,
            lang=candidate.lang or "zh",
        )


def build_plan(
    parsed: Parsed,
    root: Path,
    *,
    default_group: str,
    group: str | None = None,
    replace: bool = False,
) -> ImportPlan:
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise TransferError(Message("import.into_file", path=str(root)))
    create = not root.exists()
    notices: list[Notice] = list(parsed.notices)
    if create:
        library = Library(root=root)
    else:
        result = load_library(root)
        library = result.library
        for problem in result.problems:
            notices.append(Notice("warning", 0, Message("import.library_problem", problem=problem)))
    known = set(library.vars) | set(BUILTINS)

    prepared = [item for item in (_prepare(candidate, known, notices) for candidate in parsed.candidates) if item is not None]
    _assign_codes(prepared, library, notices)
    phrases = [(item, item.phrase) for item in prepared]

    existing: dict[str, tuple[Group, int]] = {}
    for loaded in library.groups:
        for index, phrase in enumerate(loaded.phrases):
            if phrase.code:
                existing.setdefault(phrase.code.lower(), (loaded, index))

    # A phrase without a code has nothing to conflict on; the same text already in the library is
    # what importing the same sheet twice would otherwise duplicate.
    bodies = {phrase.body for _, phrase in library.phrases()}
    updated: dict[Path, list[Phrase]] = {}
    originals: dict[Path, Group] = {}
    replaced = 0
    fresh: list[tuple[_Prepared, Phrase]] = []
    for item, phrase in phrases:
        code = phrase.code
        if code is None and phrase.body in bodies:
            notices.append(Notice("skipped", item.candidate.line, Message("import.same_text", title=phrase.title)))
            continue
        hit = existing.get(code) if code else None
        if hit is None:
            fresh.append((item, phrase))
            continue
        loaded, index = hit
        if not replace:
            notices.append(
                Notice(
                    "skipped",
                    item.candidate.line,
                    Message("import.code_taken", code=code, path=str(loaded.path), title=loaded.phrases[index].title),
                )
            )
            continue
        in_group = updated.setdefault(loaded.path, list(loaded.phrases))
        originals[loaded.path] = loaded
        in_group[index] = _merged(in_group[index], phrase)
        replaced += 1

    new_groups = _new_groups(fresh, root, default_group=default_group, group=group)
    replacements = tuple(
        (originals[path], replace_fields(originals[path], phrases=tuple(in_group))) for path, in_group in updated.items()
    )
    return ImportPlan(
        root=root,
        library=library,
        create_library=create and bool(new_groups or replacements),
        new_groups=new_groups,
        replacements=replacements,
        replaced=replaced,
        notices=tuple(notices),
        parsed=parsed,
    )


def _prepare(candidate: Candidate, known: set[str], notices: list[Notice]) -> _Prepared | None:
    raw_code = (candidate.code or "").strip()
    shown: Message | str = f"/{raw_code}" if raw_code else Message("import.a_phrase")
    kept: list[str]
    if candidate.template is not None:
        template, kept = candidate.template, []
    else:
        template, kept = build_template(candidate.parts)
    error = check(template) if "{" in template or "}" in template else None
    if error is not None:  # the builder escapes text, so this is a reader's bug; never write a broken template
        notices.append(Notice("skipped", candidate.line, Message("import.bad_template", shown=shown, error=error)))
        return None
    undeclared = sorted({name for name in kept if name not in known})
    if undeclared:
        names = ", ".join("{" + name + "}" for name in undeclared)
        notices.append(Notice("warning", candidate.line, Message("import.undeclared", shown=shown, names=names)))
    title = candidate.title.strip().split("\n")[0].strip() or title_from(template)
    base: str | None = None
    if raw_code:
        base = ascii_code(raw_code)
        if base and base != normalise_code(raw_code):
            notices.append(Notice("renamed", candidate.line, Message("import.renamed_ascii", old=raw_code, new=base)))
        elif not base:
            # From the text, not a counter, so importing the same file again gives the same code.
            base = initials_code(title)
            if base:
                notices.append(Notice("renamed", candidate.line, Message("import.renamed_initials", old=raw_code, new=base)))
    title = title or base or "导入"
    return _Prepared(candidate, title, template, base)


def _assign_codes(prepared: list[_Prepared], library: Library, notices: list[Notice]) -> None:
    """First phrase under a code keeps it (lowest rank, then file order); the others get `-2`, `-3`…"""
    by_code: dict[str, list[_Prepared]] = {}
    for item in prepared:
        if item.base:
            by_code.setdefault(item.base, []).append(item)
    bases = set(by_code)
    assigned: set[str] = set()
    for base, items in by_code.items():
        items.sort(key=lambda item: item.candidate.rank)
        for position, item in enumerate(items):
            code = base
            if position:
                number = 2
                while f"{base}-{number}" in bases or f"{base}-{number}" in assigned:
                    number += 1
                code = f"{base}-{number}"
                notices.append(
                    Notice("renamed", item.candidate.line, Message("import.renamed_shared", old=base, new=code, count=len(items)))
                )
            assigned.add(code)
            item.code = code
    taken = assigned | {phrase.code.lower() for _, phrase in library.phrases() if phrase.code}
    number = 0
    for item in prepared:
        if item.base != "":
            continue
        number += 1
        while f"imp{number}" in taken:
            number += 1
        code = f"imp{number}"
        taken.add(code)
        item.code = code
        notices.append(
            Notice("renamed", item.candidate.line, Message("import.renamed_unusable", old=(item.candidate.code or "").strip(), new=code))
        )


def _merged(old: Phrase, new: Phrase) -> Phrase:
    """The library's phrase with the imported title and body; its tags, note and dates stay unless the import brings its own."""
    return replace_fields(
        old,
        title=new.title,
        body=new.body,
        tags=new.tags or old.tags,
        note=new.note or old.note,
        lang=new.lang or old.lang,
    )


def _new_groups(fresh: list[tuple[_Prepared, Phrase]], root: Path, *, default_group: str, group: str | None) -> tuple[Group, ...]:
    grouped: dict[str, list[tuple[_Prepared, Phrase]]] = {}
    for item, phrase in fresh:
        name = group or item.candidate.group or default_group
        grouped.setdefault(name, []).append((item, phrase))
    taken = _existing_names(root)
    groups = []
    for name, items in grouped.items():
        stem = slug(name)
        file_name, number = f"{stem}.toml", 2
        while file_name.lower() in taken:
            file_name, number = f"{stem}-{number}.toml", number + 1
        taken.add(file_name.lower())
        category = next((item.candidate.category for item, _ in items if item.candidate.category), IMPORT_CATEGORY)
        groups.append(
            Group(
                path=Path(file_name),
                name=name,
                phrases=tuple(phrase for _, phrase in items),
                category=category,
                description="",
            )
        )
    return tuple(groups)


def _existing_names(root: Path) -> set[str]:
    try:
        return {entry.lower() for entry in os.listdir(root)}
    except OSError:
        return set()


def library_settings(root: Path) -> bytes:
    """A minimal `_library.toml` for a library folder the import creates."""
    import tomli_w

    return tomli_w.dumps({"name": root.name or "qr"}).encode("utf-8")


def dumps_in_chunks(group: Group, progress: Callable[[int], None] | None = None) -> bytes:
    """The same text as `dumps_group`, produced a thousand phrases at a time so a bar can move."""
    if len(group.phrases) <= CHUNK or progress is None:
        data = dumps_group(group).encode("utf-8")
        if progress:
            progress(len(group.phrases))
        return data
    head = dumps_group(replace_fields(group, phrases=group.phrases[:CHUNK]))
    pieces = [head]
    progress(CHUNK)
    for start in range(CHUNK, len(group.phrases), CHUNK):
        chunk = group.phrases[start : start + CHUNK]
        body = dumps_group(replace_fields(group, phrases=chunk))
        pieces.append("\n" + body[body.index("[[phrases]]") :])
        progress(len(chunk))
    return "".join(pieces).encode("utf-8")


def write_plan(plan: ImportPlan, progress: Progress | None = None) -> None:
    """Write every file of the plan; if one fails, the ones already written are put back."""
    total = plan.imported + sum(len(new.phrases) for _, new in plan.replacements)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total)

    undo: list[tuple[Path, bytes | None]] = []
    created_root = False
    try:
        if plan.create_library:
            plan.root.mkdir(parents=True, exist_ok=False)
            created_root = True
            settings = plan.root / LIBRARY_FILE
            atomic_write(settings, library_settings(plan.root))
            undo.append((settings, None))
        for group in plan.new_groups:
            path = plan.root / group.path
            data = dumps_in_chunks(group, advance if progress else None)
            if path.exists():
                raise SaveError(Message("import.appeared", path=str(group.path)))
            atomic_write(path, data)
            undo.append((path, None))
        for previous, new in plan.replacements:
            path = plan.root / new.path
            before = path.read_bytes()
            save_group(plan.library, new, previous=previous)
            undo.append((path, before))
            advance(len(new.phrases))
    except (SaveError, OSError) as error:
        _undo(undo, plan.root if created_root else None)
        reason = error.message if isinstance(error, SaveError) else Message("import.cannot_write_in", path=str(plan.root), reason=error.strerror or str(error))
        raise TransferError(Message("import.nothing_imported", error=reason)) from None


def _undo(undo: list[tuple[Path, bytes | None]], created_root: Path | None) -> None:
    for path, before in reversed(undo):
        try:
            if before is None:
                path.unlink()
            else:
                atomic_write(path, before)
        except OSError:
            pass
    if created_root is not None:
        try:
            created_root.rmdir()
        except OSError:
            pass
