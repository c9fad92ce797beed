"""A group and its phrases as TOML documents (plain dicts): what the savers write, key by key."""

from __future__ import annotations

from typing import Any

from qr.store.models import Group, Phrase


def group_document(group: Group) -> dict[str, Any]:
    """The TOML document of a group, known keys first, unknown keys kept as they were."""
    document: dict[str, Any] = {"name": group.name}
    if group.category:
        document["category"] = group.category
    if group.order is not None:
        document["order"] = group.order
    if group.description:
        document["description"] = group.description
    document.update(group.extra)
    document["phrases"] = [phrase_document(phrase) for phrase in group.phrases]
    return document


def phrase_document(phrase: Phrase) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if phrase.code:
        document["code"] = phrase.code
    document["title"] = phrase.title
    document["body"] = phrase.body
    if phrase.tags:
        document["tags"] = list(phrase.tags)
    if phrase.asks:
        document["asks"] = list(phrase.asks)
    if phrase.note:
        document["note"] = phrase.note
    if phrase.lang and phrase.lang != "zh":
        document["lang"] = phrase.lang
    if phrase.valid_from is not None:
        document["valid_from"] = phrase.valid_from
    if phrase.valid_until is not None:
        document["valid_until"] = phrase.valid_until
    document.update(phrase.extra)
    return document
