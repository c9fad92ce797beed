"""Editing a library: pure operations that build new values and save whole group files.

Every operation takes the Library as loaded, checks what it can before touching the disk (editable
library, unique code, valid fields), saves with the conflict check of `save_group`, and returns an
`Edit`: the new Library plus the files it wrote or removed, so the caller can re-index at once.
Nothing here imports Textual; the editor screens and tests call the same functions.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qr.messages import Message
from qr.record import replace
from qr.render import TemplateError, parse
from qr.store.load import clean_asks, parse_group
from qr.store.merge import merge_groups
from qr.store.models import DEFAULT_CATEGORY, Group, Library, Phrase, is_valid_code, normalise_code
from qr.store.save import (
    ConflictError,
    MergeConflict,
    SaveError,
    current_stamp,
    dumps_group,
    is_writable,
    theirs_on_disk,
    write_group,
)
from qr.store.save import delete_group as delete_group_file

BUNDLED_MESSAGE = Message("edit.bundled")
_NUMBERED = re.compile(r"^([a-z][a-z._-]*?)(\d+)$")
_UNSAFE = re.compile(r"[^\w.-]+")
_NAME_LIMIT = 60


class EditError(SaveError):
    """An edit refused before anything was written; the message says why in one line."""


class MoveError(SaveError):
    """A move wrote the target group but could not remove the phrase from the source.

    `library` is the library as it now is on disk (the phrase is in both groups).
    """

    def __init__(self, message: Message | str, library: Library) -> None:
        super().__init__(message)
        self.library = library


@dataclass(frozen=True)
class Edit:
    """The outcome of one edit: the new library and which group files were written or removed."""

    library: Library
    written: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()
    group: Group | None = None
    """The group the edit was about, as saved (None when it was deleted)."""
    index: int = -1
    """The position of the edited phrase in `group`, when the edit was about a phrase."""
    merged: tuple[str, ...] = ()
    """Phrases a teammate changed in the same file meanwhile, kept by the phrase-level merge."""
    references: tuple[str, ...] = ()
    """After a code was renamed: the phrases whose notes still mention the old `/code` (nothing else
    is changed silently; the lead decides)."""


# -- may this library be edited? ------------------------------------------------------------

def is_bundled(library: Library) -> bool:
    """True for the default library shipped inside the package (edits would be lost on upgrade)."""
    from qr.config import ConfigError, bundled_library

    try:
        bundled = bundled_library()
    except ConfigError:
        return False
    try:
        return library.root.resolve() == bundled.resolve()
    except OSError:
        return False


def why_not_editable(library: Library) -> Message | None:
    """None when a lead may edit `library`, else the reason (one line) why not."""
    if is_bundled(library):
        return BUNDLED_MESSAGE
    if not library.root.is_dir():
        return Message("edit.not_folder", path=str(library.root))
    return is_writable(library)


def _require_editable(library: Library) -> None:
    reason = why_not_editable(library)
    if reason:
        raise EditError(reason)


def _require_group(library: Library, path: Path | str) -> Group:
    path = Path(path)
    if path in library.broken:
        raise EditError(Message("save.broken", path=str(path)))
    group = library.group_by_path(path)
    if group is None:
        raise EditError(Message("edit.no_group_file", path=str(path), library=str(library.root)))
    return group


def _require_index(group: Group, index: int) -> Phrase:
    if not 0 <= index < len(group.phrases):
        raise EditError(Message("edit.no_phrase_number", path=str(group.path), number=index + 1))
    return group.phrases[index]


# -- checks on a phrase -------------------------------------------------------------------------

def code_owner(library: Library, code: str | None, *, ignore: tuple[Path, int] | None = None) -> tuple[Group, int] | None:
    """The (group, index) already using `code` (case-insensitive), skipping the phrase at `ignore`."""
    if not code:
        return None
    wanted = normalise_code(code)
    for group in library.groups:
        for index, phrase in enumerate(group.phrases):
            # codes are stored lower-case (normalised on load and on save)
            if phrase.code == wanted and ignore != (group.path, index):
                return group, index
    return None


def next_free_code(library: Library, group: Group) -> str | None:
    """The code a new phrase of `group` is offered: its most used prefix with the next number
    (`wl1`…`wl10` → `wl11`), free across the library; None when the group has no numbered codes."""
    numbered: dict[str, list[int]] = {}
    for phrase in group.phrases:
        match = _NUMBERED.match(phrase.code or "")
        if match:
            numbered.setdefault(match[1], []).append(int(match[2]))
    if not numbered:
        return None
    prefix = max(numbered, key=lambda name: (len(numbered[name]), max(numbered[name])))
    taken = {phrase.code for _, phrase in library.phrases() if phrase.code}
    number = max(numbered[prefix]) + 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def phrase_problems(library: Library, phrase: Phrase, *, ignore: tuple[Path, int] | None = None) -> list[Message]:
    """What stops `phrase` from being saved: empty title, bad or taken code, template syntax."""
    problems: list[Message] = []
    if not phrase.title.strip():
        problems.append(Message("edit.title_empty"))
    if "\n" in phrase.title.strip():
        problems.append(Message("edit.title_one_line"))
    if phrase.code is not None:
        code = normalise_code(phrase.code)
        if not code or not is_valid_code(code):
            problems.append(Message("load.code_chars", code=phrase.code))
        else:
            owner = code_owner(library, code, ignore=ignore)
            if owner is not None:
                group, index = owner
                other = group.phrases[index]
                problems.append(Message("edit.code_taken", code=code, title=other.title, group=group.name, path=str(group.path)))
    try:
        parse(phrase.body)
    except TemplateError as error:
        problems.append(Message("edit.template", error=error.message, line=error.line, column=error.column))
    if not phrase.body.strip():
        problems.append(Message("edit.body_empty"))
    return problems


def clean_phrase(phrase: Phrase) -> Phrase:
    """The phrase as the loader would read it back: code normalised, title and tags stripped."""
    code = normalise_code(phrase.code) if phrase.code else None
    return replace(
        phrase,
        code=code or None,
        title=phrase.title.strip(),
        tags=tuple(tag.strip() for tag in phrase.tags if tag.strip()),
        asks=clean_asks(phrase.asks),
        lang=phrase.lang.strip() or "zh",
    )


def _checked(library: Library, phrase: Phrase, ignore: tuple[Path, int] | None) -> Phrase:
    phrase = clean_phrase(phrase)
    problems = phrase_problems(library, phrase, ignore=ignore)
    if problems:
        raise EditError(Message("edit.problems", problems=tuple(problems)))
    if phrase.valid_from and phrase.valid_until and phrase.valid_until < phrase.valid_from:
        raise EditError(Message("edit.window_reversed", start=str(phrase.valid_from), end=str(phrase.valid_until)))
    return phrase


# -- saving ------------------------------------------------------------------------------------

def _save(library: Library, group: Group, previous: Group | None) -> Group:
    """Save `group` and return it as the loader would read it back (with line numbers and stamp)."""
    return _save_merging(library, group, previous)[0]


def _save_merging(library: Library, group: Group, previous: Group | None) -> tuple[Group, tuple[str, ...]]:
    """`_save`, merging phrase by phrase with a teammate's save of the same file since it was loaded;
    also returns the labels of their changes that were kept (MergeConflict on the same phrase)."""
    written = write_group(library, group, previous=previous, merge=True)
    saved = written.group
    try:
        data = (library.root / saved.path).read_bytes()  # cheaper than rendering the TOML again
    except OSError:
        data = b""
    if saved.stamp is None or hashlib.sha1(data).hexdigest() != saved.stamp.digest:
        data = dumps_group(saved).encode("utf-8")  # changed since we wrote it: parse what we wrote
    text = data.decode("utf-8")
    merged = written.merge.theirs_kept if written.merge is not None else ()
    return parse_group(tomllib.loads(text), text, saved.path, saved.stamp), merged


def _position(saved: Group, phrase: Phrase, fallback: int) -> int:
    """Where `phrase` ended up in `saved` (a merge may have put a teammate's phrases before it)."""
    if 0 <= fallback < len(saved.phrases) and saved.phrases[fallback] == phrase:
        return fallback
    return next((index for index, item in enumerate(saved.phrases) if item == phrase), min(fallback, len(saved.phrases) - 1))


def save_resolved(library: Library, conflict: MergeConflict, resolved: dict[str, Phrase | None], phrase: Phrase | None = None) -> Edit:
    """Finish a save that met a teammate's change of the same phrase, with the lead's answers.

    `resolved` maps each conflict's key to the version to keep (theirs or mine, both already checked
    when saved; None for deleted); the file is saved over their version, merging again if it changed
    once more meanwhile.
    """
    _require_editable(library)
    merged = merge_groups(conflict.base, conflict.theirs, conflict.mine, resolved=resolved)
    saved, kept = _save_merging(library, merged.group, conflict.theirs)
    index = _position(saved, phrase, len(saved.phrases) - 1) if phrase is not None else -1
    return Edit(library.replace_group(saved.path, saved), written=(saved.path,), group=saved, index=index, merged=kept + merged.theirs_kept)


def _with_phrases(group: Group, phrases: list[Phrase]) -> Group:
    return replace(group, phrases=tuple(phrases))


# -- phrase operations --------------------------------------------------------------------------

def add_phrase(library: Library, group_path: Path | str, phrase: Phrase, *, position: int | None = None) -> Edit:
    """Add `phrase` to a group (at the end, or before `position`) and save the group."""
    _require_editable(library)
    group = _require_group(library, group_path)
    phrase = _checked(library, phrase, None)
    phrases = list(group.phrases)
    index = len(phrases) if position is None else max(0, min(position, len(phrases)))
    phrases.insert(index, phrase)
    saved, merged = _save_merging(library, _with_phrases(group, phrases), group)
    index = _position(saved, phrase, index)
    return Edit(library.replace_group(group.path, saved), written=(saved.path,), group=saved, index=index, merged=merged)


def update_phrase(library: Library, group_path: Path | str, index: int, phrase: Phrase) -> Edit:
    """Replace the phrase at `index` of a group and save the group."""
    _require_editable(library)
    group = _require_group(library, group_path)
    _require_index(group, index)
    phrase = _checked(library, phrase, (group.path, index))
    phrases = list(group.phrases)
    phrases[index] = phrase
    old_code = group.phrases[index].code
    saved, merged = _save_merging(library, _with_phrases(group, phrases), group)
    index = _position(saved, phrase, index)
    result = library.replace_group(group.path, saved)
    renamed = old_code is not None and old_code != phrase.code
    references = code_references(result, old_code) if renamed and old_code else ()
    return Edit(result, written=(saved.path,), group=saved, index=index, merged=merged, references=references)


def code_references(library: Library, code: str) -> tuple[str, ...]:
    """`/code title (file:line)` of every phrase whose note mentions `/code` (as a whole code)."""
    pattern = re.compile(rf"/{re.escape(code)}(?![A-Za-z0-9._-])", re.IGNORECASE)
    found = []
    for group, phrase in library.phrases():
        if pattern.search(phrase.note):
            shown = f"/{phrase.code} {phrase.title}" if phrase.code else phrase.title
            found.append(f"{shown} ({group.path.as_posix()}:{phrase.line})")
    return tuple(found)


def delete_phrase(library: Library, group_path: Path | str, index: int) -> Edit:
    """Remove the phrase at `index` of a group and save the group (an emptied group stays)."""
    _require_editable(library)
    group = _require_group(library, group_path)
    _require_index(group, index)
    phrases = list(group.phrases)
    del phrases[index]
    saved, merged = _save_merging(library, _with_phrases(group, phrases), group)
    return Edit(library.replace_group(group.path, saved), written=(saved.path,), group=saved, index=-1, merged=merged)


def move_phrase(library: Library, source_path: Path | str, index: int, target_path: Path | str) -> Edit:
    """Move the phrase at `index` of the source group to the end of the target group.

    The target is saved first, then the source, so a failure in between never loses the phrase:
    it is then in both groups and MoveError says so (carrying the library as it is on disk).
    """
    _require_editable(library)
    source = _require_group(library, source_path)
    target = _require_group(library, target_path)
    if source.path == target.path:
        raise EditError(Message("edit.already_in", group=source.name))
    phrase = _require_index(source, index)
    remaining = [item for position, item in enumerate(source.phrases) if position != index]
    # Check both files before writing either: a conflict on the source is caught while nothing moved.
    # A teammate's save of either file meanwhile is fine unless it touched the same phrase.
    for group, wanted in ((target, [*target.phrases, phrase]), (source, remaining)):
        _refuse_merge_conflict(library, group, _with_phrases(group, wanted))
    saved_target, merged = _save_merging(library, _with_phrases(target, [*target.phrases, phrase]), target)
    moved = library.replace_group(target.path, saved_target)
    try:
        saved_source, merged_source = _save_merging(moved, _with_phrases(source, remaining), source)
    except SaveError as error:
        raise MoveError(
            Message(
                "edit.move_half_done", target=target.name, target_path=str(target.path),
                source=source.name, source_path=str(source.path), error=error.message,
            ),
            moved,
        ) from None
    return Edit(
        moved.replace_group(source.path, saved_source),
        written=(saved_target.path, saved_source.path),
        group=saved_target,
        index=_position(saved_target, phrase, len(saved_target.phrases) - 1),
        merged=merged + merged_source,
    )


def _refuse_merge_conflict(library: Library, loaded: Group, wanted: Group) -> None:
    """Raise what saving `wanted` over `loaded` would raise for a changed file, before writing anything."""
    path = library.root / loaded.path
    on_disk = current_stamp(path)
    if loaded.stamp is None or (on_disk is not None and on_disk.digest == loaded.stamp.digest):
        return
    if on_disk is None:
        raise ConflictError(Message("save.deleted", path=str(loaded.path)))
    theirs = theirs_on_disk(loaded, path.read_bytes(), on_disk)
    if theirs is None:
        raise ConflictError(Message("save.changed", path=str(loaded.path)))
    merged = merge_groups(loaded, theirs, wanted)
    if not merged.clean:
        labels = [conflict.label for conflict in merged.conflicts] + list(merged.setting_conflicts)
        raise MergeConflict(Message("save.same_phrase", path=str(loaded.path), phrases=", ".join(labels)), merged, loaded, theirs, wanted)


# -- group operations ---------------------------------------------------------------------------

def safe_file_stem(name: str) -> str:
    """A file name stem for a group name: letters (Chinese too), digits, '-', '_' and '.'.

    Never starts with '_' (qr would ignore the file) or '.' (hidden), never empty.
    """
    stem = unicodedata.normalize("NFKC", name).strip().lower()
    stem = _UNSAFE.sub("-", stem).strip("-._")
    stem = stem[:_NAME_LIMIT].rstrip("-._")
    return stem or "group"


def new_group_path(library: Library, name: str, folder: Path | str | None = None) -> Path:
    """A relative path for a new group that no file (loaded, broken or not) uses yet."""
    folder = Path(folder) if folder else Path()
    if folder.is_absolute() or ".." in folder.parts or any(part.startswith((".", "_")) for part in folder.parts):
        raise EditError(Message("edit.bad_folder", folder=str(folder)))
    stem = safe_file_stem(name)
    taken = {str(group.path).lower() for group in library.groups} | {str(path).lower() for path in library.broken}
    number = 1
    while True:
        candidate = folder / (f"{stem}.toml" if number == 1 else f"{stem}-{number}.toml")
        if str(candidate).lower() not in taken and not (library.root / candidate).exists():
            return candidate
        number += 1


def new_group(
    library: Library,
    name: str,
    *,
    category: str = "",
    order: int | None = None,
    description: str = "",
    folder: Path | str | None = None,
) -> Edit:
    """Create a new, empty group file named after `name`; an existing file is never overwritten."""
    _require_editable(library)
    name = name.strip()
    if not name:
        raise EditError(Message("group.name_required"))
    category = category.strip() or DEFAULT_CATEGORY
    if any(group.name == name and group.category == category for group in library.groups):
        raise EditError(Message("edit.group_exists", name=name, category=category))
    group = Group(
        path=new_group_path(library, name, folder),
        name=name,
        category=category,
        order=order,
        description=description,
    )
    saved = _save(library, group, None)
    return Edit(library.replace_group(saved.path, saved), written=(saved.path,), group=saved)


_UNSET: Any = object()


def update_group(
    library: Library,
    group_path: Path | str,
    *,
    name: str = _UNSET,
    category: str = _UNSET,
    order: int | None = _UNSET,
    description: str = _UNSET,
) -> Edit:
    """Change a group's name, category, order or description (only those given) and save it.

    The file keeps its name: teammates' copies and git history stay easy to follow.
    """
    _require_editable(library)
    group = _require_group(library, group_path)
    changes: dict[str, Any] = {}
    if name is not _UNSET:
        name = name.strip()
        if not name:
            raise EditError(Message("group.name_required"))
        changes["name"] = name
    if category is not _UNSET:
        changes["category"] = category.strip() or DEFAULT_CATEGORY
    new_name, new_category = changes.get("name", group.name), changes.get("category", group.category)
    for other in library.groups:
        if other.path != group.path and other.name == new_name and other.category == new_category:
            raise EditError(Message("edit.group_exists", name=new_name, category=new_category))
    if order is not _UNSET:
        if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
            raise EditError(Message("load.order_int"))
        changes["order"] = order
    if description is not _UNSET:
        changes["description"] = description
    saved, merged = _save_merging(library, replace(group, **changes), group)
    return Edit(library.replace_group(group.path, saved), written=(saved.path,), group=saved, merged=merged)


def delete_group(library: Library, group_path: Path | str, *, force: bool = False) -> Edit:
    """Delete a group's file. A group with phrases is refused unless `force` (the UI asks first)."""
    _require_editable(library)
    group = _require_group(library, group_path)
    if group.phrases and not force:
        count = len(group.phrases)
        raise EditError(Message("edit.group_not_empty.one" if count == 1 else "edit.group_not_empty", group=group.name, count=count))
    delete_group_file(library, group)
    return Edit(library.replace_group(group.path, None), removed=(group.path,))
