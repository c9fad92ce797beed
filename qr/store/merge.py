"""Phrase-level three-way merge of one group file: base (as loaded), theirs (on disk now), mine (the edit).

Two leads who change *different* phrases of one file both keep their work: a phrase only one side
changed takes that side's version, whatever the other did elsewhere in the file. Only a phrase (or a
group setting) that both sides changed differently is a conflict; it is returned with all three
versions so the lead can choose (the editor's merge dialog) or git can stop naming it (`qr team pull`).
A phrase is known by its code, else by its title (the n-th phrase with that title).
"""

from __future__ import annotations

from dataclasses import dataclass

from qr.record import replace
from qr.store.models import Group, Phrase

SETTINGS = ("name", "category", "order", "description", "extra")


@dataclass(frozen=True)
class PhraseConflict:
    """One phrase both sides changed differently (None: that side deleted it or never had it)."""

    key: str
    label: str
    """`/code title` of the phrase, for messages."""
    base: Phrase | None
    theirs: Phrase | None
    mine: Phrase | None


@dataclass(frozen=True)
class Merge:
    group: Group
    """The merged group: theirs with my changes applied (a conflict keeps theirs until resolved)."""
    conflicts: tuple[PhraseConflict, ...] = ()
    setting_conflicts: tuple[str, ...] = ()
    theirs_kept: tuple[str, ...] = ()
    """Labels of the phrases the other side added, changed or deleted that the merge kept."""

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.setting_conflicts


def label(phrase: Phrase) -> str:
    return " ".join(part for part in (f"/{phrase.code}" if phrase.code else "", phrase.title) if part)


def keyed(phrases: tuple[Phrase, ...]) -> dict[str, Phrase]:
    """Phrases by identity: `code:wl1`, or `title:催件#2` for the second uncoded phrase titled 催件."""
    found: dict[str, Phrase] = {}
    seen: dict[str, int] = {}
    for phrase in phrases:
        if phrase.code:
            key = f"code:{phrase.code}"
        else:
            seen[phrase.title] = seen.get(phrase.title, 0) + 1
            key = f"title:{phrase.title}#{seen[phrase.title]}"
        while key in found:  # the same code twice in one file (lint reports it): keep both
            key += "'"
        found[key] = phrase
    return found


def merge_groups(base: Group, theirs: Group, mine: Group, *, resolved: dict[str, Phrase | None] | None = None) -> Merge:
    """Merge `mine` into `theirs` against `base`; `resolved` answers conflicts by key (None: deleted)."""
    resolved = resolved or {}
    old, their, my = keyed(base.phrases), keyed(theirs.phrases), keyed(mine.phrases)
    result: dict[str, Phrase | None] = dict(their)
    conflicts: list[PhraseConflict] = []
    theirs_kept: list[str] = []
    for key in [*their, *(key for key in my if key not in their), *(key for key in old if key not in their and key not in my)]:
        before, after_theirs, after_mine = old.get(key), their.get(key), my.get(key)
        shown = label(after_mine or after_theirs or before)  # type: ignore[arg-type]  # one of the three exists
        if key in resolved:
            result[key] = resolved[key]
        elif after_theirs == after_mine or after_mine == before:
            result[key] = after_theirs
            if after_theirs != before:
                theirs_kept.append(label(after_theirs or before))  # type: ignore[arg-type]  # one of them exists
        elif after_theirs == before:
            result[key] = after_mine
        else:
            conflicts.append(PhraseConflict(key, shown, before, after_theirs, after_mine))
            result[key] = after_theirs
    order = _order(list(their), list(my), result)
    merged_settings: dict = {}
    setting_conflicts = []
    for name in SETTINGS:
        before, after_theirs, after_mine = getattr(base, name), getattr(theirs, name), getattr(mine, name)
        if after_theirs == after_mine or after_mine == before:
            merged_settings[name] = after_theirs
        elif after_theirs == before:
            merged_settings[name] = after_mine
        else:
            merged_settings[name] = after_mine if f"setting:{name}" in resolved else after_theirs
            if f"setting:{name}" not in resolved:
                setting_conflicts.append(name)
    phrases = tuple(phrase for key in order if (phrase := result.get(key)) is not None)
    group = replace(theirs, phrases=phrases, **merged_settings)
    return Merge(group, tuple(conflicts), tuple(setting_conflicts), tuple(theirs_kept))


def _order(theirs: list[str], mine: list[str], result: dict[str, Phrase | None]) -> list[str]:
    """Theirs' order, with the phrases only I have placed after the phrase that precedes them in mine."""
    order = list(theirs)
    for position, key in enumerate(mine):
        if key in order:
            continue
        before = next((mine[index] for index in range(position - 1, -1, -1) if mine[index] in order), None)
        order.insert(order.index(before) + 1 if before is not None else 0, key)
    order += [key for key in result if key not in order]
    return order
