"""Messages of the core are ids plus arguments: both languages complete, the language chosen at the edge."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from qr.i18n import EN, ZH, set_language
from qr.messages import Message, MessageError, from_plain, to_plain
from qr.store.load import load_library
from qr.store.save import SaveError

ROOT = Path(__file__).resolve().parent.parent
MESSAGE_ID = re.compile(r"""Message\(\s*"([a-z_.]+)"(?:\s+if\s+[^)]*?\s+else\s+"([a-z_.]+)")?""")


def _names(text: str) -> set[str]:
    # only real placeholders: a label may show template syntax such as {name|fallback} literally,
    # and a text with no arguments is never formatted (its braces are literal)
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field and field.isidentifier()}
    except ValueError:
        return {"(literal braces)"}


def test_both_languages_have_the_same_keys_and_placeholders():
    assert set(EN) == set(ZH), f"only en: {sorted(set(EN) - set(ZH))}; only zh: {sorted(set(ZH) - set(EN))}"
    differing = {key for key in EN if _names(EN[key]) != _names(ZH[key])}
    assert not differing, differing


def test_every_message_id_in_the_code_is_in_the_catalogue():
    used = set()
    for path in (ROOT / "qr").rglob("*.py"):
        for match in MESSAGE_ID.finditer(path.read_text(encoding="utf-8")):
            used.update(filter(None, match.groups()))
    assert len(used) > 40  # the pattern still finds the calls
    assert not used - set(EN), sorted(used - set(EN))


def test_a_message_is_english_by_default_and_chinese_when_chosen():
    message = Message("save.changed", path="logistics.toml")
    assert str(message) == "logistics.toml changed on disk since it was loaded"
    set_language("zh")
    assert str(message) == "logistics.toml 在载入后已在磁盘上被修改"
    assert message.english == "logistics.toml changed on disk since it was loaded"
    error = SaveError(message)
    assert str(error) == message.text("zh") and error.text("en") == message.english


def test_nested_messages_and_lists_follow_the_language():
    nested = Message("edit.problems", problems=(Message("edit.title_empty"), Message("edit.body_empty")))
    assert nested.text("en") == "the title is empty; the body is empty"
    assert nested.text("zh") == "标题为空；正文为空"
    plain_error = MessageError("kept as it is")
    assert plain_error.text("zh") == "kept as it is"


def test_load_problems_follow_the_language(tmp_path):
    (tmp_path / "a.toml").write_text('name = "A"\n[[phrases]]\ncode = "a 1"\ntitle = "t"\nbody = "x"\n', encoding="utf-8")
    problem = load_library(tmp_path).problems[0]
    assert problem.text("en") == "a.toml:3:1: code 'a 1' may only use ASCII letters, digits, '-', '_' and '.'"
    set_language("zh")
    assert str(problem).startswith("a.toml:3:1: 编码 'a 1' 只能使用")


@pytest.mark.parametrize("message", [Message("load.cannot_read", reason="denied"), Message("load.not_utf8"), "plain"])
def test_plain_form_round_trips(message):
    assert from_plain(to_plain(message)) == message


def test_damaged_plain_forms_are_refused():
    assert from_plain(("id", (("name", object()),))) is None
    assert from_plain(("id",)) is None
    assert from_plain(3) is None
