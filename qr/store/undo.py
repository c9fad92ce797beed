"""Undo of the editor's edits: each edit is kept as the group files before and after it.

Undoing an edit is a three-way merge per file (base = the file after the edit, theirs = the file as
it is now, mine = the file before the edit): exactly that edit is reverted, and whatever changed
since (a teammate's save, a later edit of another phrase) stays. A phrase deleted, then the file
edited again, can still be brought back, as long as nobody changed that phrase since.
Nothing here imports Textual; the list screens keep the steps of a session (until qr quits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qr.messages import Message
from qr.store.edit import Edit, EditError
from qr.store.merge import keyed, label, merge_groups
from qr.store.models import Group, Library, Phrase
from qr.store.save import delete_group, write_group


@dataclass(frozen=True)
class Deleted:
    """A phrase the lead deleted this session (alone or with its group), to restore from a list.

    Kept apart from the undo steps, so it can come back without undoing the edits made after it.
    """

    root: Path
    group_path: Path
    group_name: str
    phrase: Phrase


def remember_deleted(deleted: list[Deleted], root: Path, group: Group, phrases: tuple[Phrase, ...] | list[Phrase]) -> None:
    """Add `phrases` (deleted from `group`) to the session's list, newest last, each once."""
    for phrase in phrases:
        item = Deleted(root, group.path, group.name, phrase)
        deleted[:] = [old for old in deleted if (old.root, old.group_path, old.phrase) != (root, group.path, phrase)]
        deleted.append(item)


def still_deleted(deleted: list[Deleted], library_of: Callable[[Path], Library | None]) -> list[Deleted]:
    """The entries whose phrase is not back in its group (an undo may have brought it back), newest first."""
    result = []
    for item in reversed(deleted):
        library = library_of(item.root)
        group = library.group_by_path(item.group_path) if library is not None else None
        if group is None or item.phrase not in group.phrases:
            result.append(item)
    return result


@dataclass(frozen=True)
class Step:
    """One edit: the groups it wrote or removed, before and after (None: the file did not exist)."""

    root: Path
    files: tuple[tuple[Path, Group | None, Group | None], ...]

    def describe(self) -> Message:
        """What the edit did, in a lead's words: `deleted /wl3 …`, `moved /wl1 … to 售后`."""
        before = {key: phrase for _, old, _ in self.files if old for key, phrase in keyed(old.phrases).items()}
        after = {key: phrase for _, _, new in self.files if new for key, phrase in keyed(new.phrases).items()}
        added = [label(phrase) for key, phrase in after.items() if key not in before]
        removed = [label(phrase) for key, phrase in before.items() if key not in after]
        edited = [label(phrase) for key, phrase in after.items() if key in before and before[key] != phrase]
        if len(self.files) == 2 and not added and not removed and _moved(self.files):
            return Message("undo.what.moved", phrase=_moved(self.files))
        for kind, items in (("added", added), ("deleted", removed), ("edited", edited)):
            if items:
                return Message(f"undo.what.{kind}", phrase=", ".join(items))
        old, new = self.files[0][1], self.files[0][2]
        if old is None and new is not None:
            return Message("undo.what.new_group", group=new.name)
        if new is None and old is not None:
            return Message("undo.what.deleted_group", group=old.name)
        return Message("undo.what.group", group=(new or old).name if (new or old) else "")  # type: ignore[union-attr]


def _moved(files: tuple[tuple[Path, Group | None, Group | None], ...]) -> str:
    """`/wl1 title` when the two files' change is one phrase leaving one and arriving in the other."""
    arrived = [phrase for _, old, new in files if old and new for phrase in new.phrases if phrase not in old.phrases]
    left = [phrase for _, old, new in files if old and new for phrase in old.phrases if phrase not in new.phrases]
    return label(arrived[0]) if len(arrived) == 1 and arrived == left else ""


def record(before: Library, edit: Edit) -> Step | None:
    """The undo step of `edit`, applied to the library `before` (None when it changed no file)."""
    files = []
    for path in (*edit.written, *edit.removed):
        files.append((path, before.group_by_path(path), edit.library.group_by_path(path)))
    return Step(before.root, tuple(files)) if files else None


def undo(library: Library, step: Step) -> Edit:
    """Revert `step` in `library` (as it is now); EditError naming the phrase when someone changed it since.

    Files that regain phrases are written first, so a failure half-way never loses a phrase
    (undoing a move puts the phrase back before taking it out of the other group).
    """
    plans: list[tuple[Path, Group | None, Group | None]] = []
    for path, old, new in step.files:
        current = library.group_by_path(path)
        plans.append((path, current, _reverted(path, old, new, current)))
    plans.sort(key=lambda plan: -(_count(plan[2]) - _count(plan[1])))
    written: list[Path] = []
    removed: list[Path] = []
    focus: tuple[Group, int] | None = None
    for path, current, target in plans:
        if target is None:
            if current is not None:
                delete_group(library, current)
                removed.append(path)
            library = library.replace_group(path, None)
            continue
        saved = write_group(library, target, previous=current, merge=current is not None).group
        library = library.replace_group(path, saved)
        written.append(path)
        restored = [index for index, phrase in enumerate(saved.phrases) if current is None or phrase not in current.phrases]
        if restored and focus is None:
            focus = (saved, restored[0])
    group, index = focus if focus is not None else (None, -1)
    return Edit(library, written=tuple(written), removed=tuple(removed), group=group, index=index)


def _count(group: Group | None) -> int:
    return len(group.phrases) if group is not None else 0


def _reverted(path: Path, old: Group | None, new: Group | None, current: Group | None) -> Group | None:
    """The file `current` with the step's change (old → new) taken back, or EditError."""
    if new is None:  # the edit deleted the file: bring it back (unless someone made a new one there)
        if current is not None:
            raise EditError(Message("undo.file_exists", path=str(path)))
        return old
    if current is None:
        raise EditError(Message("undo.file_gone", path=str(path)))
    if old is None:  # the edit created the file: remove it, if nobody put phrases in it since
        if current.phrases != new.phrases:
            raise EditError(Message("undo.group_used", group=current.name))
        return None
    merged = merge_groups(new, current, old)
    if not merged.clean:
        names = [conflict.label for conflict in merged.conflicts] + list(merged.setting_conflicts)
        raise EditError(Message("undo.changed_since", phrases=", ".join(names)))
    return merged.group
