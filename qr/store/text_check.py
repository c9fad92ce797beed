"""`check_text`: the word, privacy and control-character rules on a free text (`qr check`, the
draft-check box), and the words of every finding (`finding_text`, shared with lint).

Kept apart from lint so a fresh `qr check` imports only what checking a text needs: no template
parser, no file positions.
"""

from __future__ import annotations

from collections.abc import Mapping

from qr.i18n import current_language
from qr.messages import translate
from qr.record import Record
from qr.store.privacy import find_numbers
from qr.store.word_rules import BUILTIN, WordMatch, WordRules
from qr.terminal_text import CONTROL_CHARACTERS  # the set the CLI and screens escape (Trojan Source too)

CONTROL = "control-char"


def finding_text(message_id: str, args: Mapping[str, object], lang: str) -> str:
    """A finding's text in `lang`. An argument pair `x_zh` / `x_en` becomes `x` in that language,
    a `family` argument brings the family's name, reason and advice along."""
    values: dict[str, object] = {}
    for key, value in args.items():
        base, _, suffix = key.rpartition("_")
        if suffix in ("zh", "en") and base:
            if suffix == lang or (not values.get(base) and value):
                values[base] = value
        else:
            values[key] = value
    family = args.get("family")
    if lang != "zh" and args.get("instead_zh") and args.get("text_lang", "zh") == "zh":
        # a Chinese draft gets Chinese wording to paste, with the English beside it for the reader
        english = args.get("instead_en")
        values["instead"] = f"{args['instead_zh']} ({english})" if english else args["instead_zh"]
    if family:
        values.setdefault("name", translate(f"lint.family.{family}", {}, lang))
        values.setdefault("reason", translate(f"lint.reason.{family}", {}, lang))
        if not values.get("instead"):
            values["instead"] = translate(f"lint.advice.{family}", {}, lang)
    if "source" in args:
        values["source"] = "" if args["source"] == BUILTIN else translate("lint.word.source", {"source": args["source"]}, lang)
    if "what" in args:
        values["what"] = translate(f"lint.privacy.{args['what']}", {}, lang)
    if "field" in args:
        values["field"] = translate(f"lint.field.{args['field']}", {}, lang)
    if "listed" in args:
        values["listed"] = translate("lint.word.listed", {"term": args["listed"]}, lang) if args["listed"] else ""
    return translate(message_id, values, lang)


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" for char in text)


def word_args(match: WordMatch, context: str = "") -> dict[str, object]:
    """The arguments of a word finding: what was found, the list term it matched, what to say
    instead, and the language of the text it was found in (`context`, default the match itself)."""
    entry = match.entry
    listed = "" if match.text == entry.term or entry.pattern else entry.term
    return {
        "family": entry.kind,
        "text": match.text,
        "listed": listed,
        "source": entry.source,
        "instead_zh": entry.alternative,
        "instead_en": entry.alternative_en,
        "text_lang": "zh" if _has_cjk(context or match.text) else "en",
    }


class TextFinding(Record):
    """A finding in a free text (`qr check`, the draft-check box): a rule, where, and the message id."""

    start: int
    end: int
    severity: str
    rule: str
    message_id: str
    args: Mapping[str, object]

    def __init__(self, start: int, end: int, severity: str, rule: str, message_id: str, args: Mapping[str, object]) -> None:
        self.__dict__.update(start=start, end=end, severity=severity, rule=rule, message_id=message_id, args=args)

    @property
    def message(self) -> str:
        return finding_text(self.message_id, self.args, current_language())


def check_text(text: str, rules: WordRules) -> list[TextFinding]:
    """Every word, privacy and control-character finding in a free text, in text order."""
    found = [
        TextFinding(m.start, m.end, m.entry.severity, m.kind, "lint.word", word_args(m, text))
        for m in rules.scan(text)
    ]
    found += [TextFinding(n.start, n.end, "warning", "privacy", "lint.privacy", {"family": "privacy", "what": n.kind, "masked": n.masked}) for n in find_numbers(text)]
    found += [
        TextFinding(m.start(), m.end(), "error", CONTROL, "lint.control", {"char": f"U+{ord(m.group()):04X}", "field": "text"})
        for m in CONTROL_CHARACTERS.finditer(text)
    ]
    return sorted(found, key=lambda f: (f.start, f.rule))
