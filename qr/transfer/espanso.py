"""espanso match files (YAML, read with `safe_load` only): triggers become codes, `replace` the body.

An import never executes anything from a file: a match that needs a shell command, a script, a
regex trigger or an image is reported as skipped. `{{var}}` becomes `{var}` (or the qr built-in a
date format matches), form fields `[[name]]` become `{name}`, and the cursor marker `$|$` is dropped.
"""

from __future__ import annotations

import re
from typing import Any

from qr.messages import Message
from qr.transfer.entries import Candidate, Notice, Parsed, Part, TransferError, Var, guess_lang

_REFERENCE = re.compile(r"\{\{\s*([^{}\s]+?)\s*\}\}")
_FIELD = re.compile(r"\[\[\s*([^\[\]\s]+?)\s*\]\]")
_DATE_PIECES = re.compile(r"%Y-%m-%d|%H:%M(?::%S)?|%A|%a")
_EXECUTES = {"shell": "import.espanso_runs_shell", "script": "import.espanso_runs_script"}
_LEADING = ":!;"


def parse_espanso(text: str) -> Parsed:
    import yaml  # only espanso files need YAML

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        if mark is not None:
            raise TransferError(Message("import.bad_yaml_at", line=mark.line + 1, detail=str(error.problem))) from None
        raise TransferError(Message("import.bad_yaml", detail=str(error.problem))) from None
    except yaml.YAMLError as error:
        raise TransferError(Message("import.bad_yaml", detail=str(error))) from None
    if not isinstance(document, dict) or not isinstance(document.get("matches", []), list):
        raise TransferError(Message("import.not_espanso"))
    matches = document.get("matches") or []
    if not matches and "matches" not in document:
        raise TransferError(Message("import.not_espanso"))
    lines = _match_lines(root)
    global_vars = _vars_by_name(document.get("global_vars"))

    raw: list[tuple[int, dict[str, Any]]] = []
    notices: list[Notice] = []
    for index, match in enumerate(matches):
        line = lines[index] if index < len(lines) else 0
        if not isinstance(match, dict):
            notices.append(Notice("skipped", line, Message("import.espanso_not_match")))
            continue
        raw.append((line, match))

    # A trigger that several matches share is a chooser in espanso; in qr each phrase takes the
    # first trigger of its own, so `[!greet, !sm]` is /sm and a lone `!greet` keeps /greet.
    usage: dict[str, int] = {}
    for _, match in raw:
        for trigger in set(_triggers(match)):
            usage[trigger] = usage.get(trigger, 0) + 1

    candidates: list[Candidate] = []
    for line, match in raw:
        result = _candidate(line, match, global_vars, usage)
        if isinstance(result, Notice):
            notices.append(result)
            continue
        candidate, warnings = result
        candidates.append(candidate)
        notices.extend(Notice("warning", line, Message("import.with_code", code=candidate.code, text=warning)) for warning in warnings)
    return Parsed(Message("import.format_espanso"), tuple(candidates), tuple(notices))


def _match_lines(root) -> list[int]:
    """Line of each item of `matches:` (safe_load forgets positions; the composed node keeps them)."""
    import yaml

    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "matches" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _vars_by_name(items: Any) -> dict[str, dict[str, Any]]:
    found = {}
    for item in items or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            found[item["name"]] = item
    return found


def _triggers(match: dict[str, Any]) -> list[str]:
    triggers = match.get("triggers")
    if isinstance(triggers, list):
        found = [str(trigger) for trigger in triggers if trigger is not None]
    else:
        found = []
    if match.get("trigger") is not None:
        found.insert(0, str(match["trigger"]))
    return [code for code in (trigger.lstrip(_LEADING).strip() for trigger in found) if code]


def _candidate(line: int, match: dict[str, Any], global_vars: dict, usage: dict[str, int]):
    if "regex" in match:
        return Notice("skipped", line, Message("import.espanso_regex", regex=match["regex"]))
    if "image_path" in match:
        return Notice("skipped", line, Message("import.espanso_image"))
    triggers = _triggers(match)
    label = str(match.get("label") or "").strip()
    named: Message | str = f"/{triggers[0]}" if triggers else (label or Message("import.espanso_a_match"))
    if not triggers:
        return Notice("skipped", line, Message("import.espanso_no_trigger", named=named))
    code = next((trigger for trigger in triggers if usage.get(trigger, 0) == 1), triggers[0])
    named = f"/{code}"
    body = None
    for key in ("replace", "markdown", "html", "form"):
        if isinstance(match.get(key), (str, int, float)):
            body = str(match[key])
            break
    if body is None:
        return Notice("skipped", line, Message("import.espanso_nothing", named=named))

    local_vars = _vars_by_name(match.get("vars"))
    for name, spec in local_vars.items():
        kind = spec.get("type")
        if kind in _EXECUTES:
            return Notice("skipped", line, Message("import.espanso_executes", named=named, what=Message(_EXECUTES[kind]), name=name))
    variables = {**global_vars, **local_vars}
    warnings: list[Message] = []
    parts: list[Part] = []
    for piece in _split(body.replace("$|$", "")):
        if isinstance(piece, str):
            parts.append(piece)
            continue
        reference, from_form = piece
        name, _, field = reference.partition(".")
        declared = variables.get(name)
        if from_form or (declared is not None and declared.get("type") == "form" and field):
            parts.append(Var(_identifier(field or name)))
            continue
        if declared is None:
            parts.append(Var(_identifier(reference)))
            warnings.append(Message("import.espanso_undefined", reference=reference, kept=_identifier(reference)))
            continue
        kind = declared.get("type")
        params = declared.get("params") if isinstance(declared.get("params"), dict) else {}
        if kind in _EXECUTES:
            return Notice("skipped", line, Message("import.espanso_executes_global", named=named, what=Message(_EXECUTES[kind]), name=name))
        if kind == "echo":
            parts.append(str(params.get("echo", "")))
        elif kind == "date":
            date_parts, date_note = _date(name, str(params.get("format", "")))
            parts.extend(date_parts)
            if date_note:
                warnings.append(date_note)
        else:
            parts.append(Var(_identifier(name)))
            warnings.append(Message("import.espanso_variable", kind=kind or "untyped", name=name, kept=_identifier(name)))
    triggers_note = ", ".join(triggers)
    note = f"espanso triggers: {triggers_note}" if len(triggers) > 1 else ""
    text = "".join(part for part in parts if isinstance(part, str))
    candidate = Candidate(
        parts=tuple(_trim(parts)),
        code=code,
        title=label,
        note=note,
        line=line,
        lang=guess_lang(text),
    )
    return candidate, warnings


def _split(body: str) -> list:
    """Text, `{{reference}}` and `[[field]]` pieces in order."""
    pieces: list = []
    position = 0
    pattern = re.compile(f"{_REFERENCE.pattern}|{_FIELD.pattern}")
    for match in pattern.finditer(body):
        pieces.append(body[position : match.start()])
        if match.group(1) is not None:
            pieces.append((match.group(1), False))
        else:
            pieces.append((match.group(2), True))
        position = match.end()
    pieces.append(body[position:])
    return [piece for piece in pieces if piece != ""]


def _date(name: str, fmt: str) -> tuple[list[Part], Message | None]:
    """A date variable's format as qr built-ins; when a piece has none, the variable stays `{name}`."""
    parts: list[Part] = []
    position = 0
    dropped = False
    for match in _DATE_PIECES.finditer(fmt):
        parts.append(fmt[position : match.start()])
        piece = match.group(0)
        if piece == "%Y-%m-%d":
            parts.append(Var("today"))
        elif piece.startswith("%H:%M"):
            parts.append(Var("now"))
            dropped = dropped or piece.endswith("%S")
        else:
            parts.append(Var("weekday"))
        position = match.end()
    parts.append(fmt[position:])
    if any("%" in part for part in parts if isinstance(part, str)) or not fmt:
        return [Var(_identifier(name))], Message("import.espanso_date_none", fmt=fmt, kept=_identifier(name))
    note = Message("import.espanso_date_seconds", fmt=fmt) if dropped else None
    return [part for part in parts if part != ""], note


def _identifier(name: str) -> str:
    cleaned = re.sub(r"\W+", "_", name).strip("_") or "value"
    return cleaned if cleaned.isidentifier() else f"v_{cleaned}"


def _trim(parts: list[Part]) -> list[Part]:
    """Drop the newlines around a body (`replace: |` adds one, a `$|$` line leaves some): a reply is pasted, not a line."""
    while parts and isinstance(parts[-1], str) and not parts[-1].strip("\n"):
        parts.pop()
    while parts and isinstance(parts[0], str) and not parts[0].strip("\n"):
        parts.pop(0)
    if parts and isinstance(parts[-1], str):
        parts[-1] = parts[-1].rstrip("\n")
    if parts and isinstance(parts[0], str):
        parts[0] = parts[0].lstrip("\n")
    return parts
