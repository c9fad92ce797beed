"""Minimal-diff saves: an edit changes only the edited phrase's lines; comments and layout stay.

The property test writes random, hand-written-looking group files (comments above headers and after
values, inline and multi-line arrays, one-line, multi-line and literal strings, odd blank lines,
CRLF), applies a random edit through `save_group`, and checks that (1) the file loads to exactly
the expected phrases and (2) every line outside the edited phrase's block is unchanged.
"""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_roundtrip import phrases as stress_phrases

from qr.record import replace
from qr.store import edit, load_library
from qr.store.load import load_group
from qr.store.models import Phrase
from qr.store.patch import _block_starts, _split_lines
from qr.store.save import save_group

WORDS = ["亲", "您好", "物流繁忙", "，", "。", "退款", "Hello", " ", "'", '"', "\\", "{customer|亲}", "#", "[", "]", "=", "😀"]
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map("".join)
titles = words.map(str.strip).filter(bool)
bodies = st.one_of(words, st.lists(words, min_size=2, max_size=3).map("\n".join))


def basic(value: str) -> str:
    return tomli_w.dumps({"k": value})[4:-1]


def literal_ok(value: str) -> bool:
    return "'" not in value and "\n" not in value and all(ord(char) >= 0x20 or char == "\t" for char in value)


@st.composite
def string_value(draw, value: str) -> str:
    """`value` written in one of the TOML string styles a person might use."""
    styles = ["basic"]
    if literal_ok(value):
        styles.append("literal")
    if '"""' not in value and not value.endswith('"') and "\\" not in value:
        styles.append("multi")
    if "'''" not in value and not value.endswith("'") and all(ord(char) >= 0x20 or char in "\t\n" for char in value):
        styles.append("multi-literal")
    style = draw(st.sampled_from(styles))
    if style == "literal":
        return f"'{value}'"
    if style == "multi":
        return '"""' + draw(st.sampled_from(["\n", ""])) + value.replace("\t", "\\t") + '"""' if not value.startswith("\n") else basic(value)
    if style == "multi-literal":
        return "'''\n" + value + "'''"
    return basic(value)


@st.composite
def styled_phrase(draw, code: str) -> tuple[str, dict]:
    title, body = draw(titles), draw(bodies)
    tags = draw(st.lists(titles, max_size=3))
    lines = []
    if draw(st.booleans()):
        lines.append(f"# {draw(words).replace(chr(10), ' ')}")
    lines.append("[[phrases]]")
    keys = [f'code = "{code}"', f"title = {draw(string_value(title))}", f"body = {draw(string_value(body))}"]
    if tags:
        items = [basic(tag) for tag in tags]
        keys.append("tags = [" + ", ".join(items) + "]" if draw(st.booleans()) else "tags = [\n" + "".join(f"    {item},\n" for item in items) + "]")
    if draw(st.booleans()):
        keys.append(f"note = {draw(string_value(draw(titles)))}")
    if draw(st.booleans()):
        keys.append("priority = 3  # kept as written")
    lines += draw(st.permutations(keys))
    return "\n".join(lines) + "\n" + "\n" * draw(st.integers(min_value=0, max_value=2)), {"code": code}


@st.composite
def group_files(draw) -> str:
    count = draw(st.integers(min_value=0, max_value=6))
    head = '# 售后话术，组长维护\nname = "售后"\ncategory = "售后"  # 分类\norder = 10\n\n'
    blocks = [draw(styled_phrase(f"c{number}"))[0] for number in range(count)]
    text = head + "\n".join(blocks)
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


@st.composite
def edits(draw, count: int):
    kinds = ["add"] + (["update", "delete"] if count else [])
    kind = draw(st.sampled_from(kinds))
    index = draw(st.integers(min_value=0, max_value=count if kind == "add" else count - 1))
    return kind, index


def blocks_of(text: str) -> tuple[list[str], list[int]]:
    lines = _split_lines(text)
    starts = _block_starts(lines)
    assert starts is not None
    return lines, [*starts, len(lines)]


def outside(text: str, index: int | None) -> list[str]:
    """The file's lines without phrase block `index`, blank lines dropped (a separator may move)."""
    lines, bounds = blocks_of(text)
    if index is not None:
        lines = lines[: bounds[index]] + lines[bounds[index + 1] :]
    return [line for line in lines if line.strip()]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_edit_changes_only_that_phrase(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("lib")
    text = data.draw(group_files())
    (root / "g.toml").write_bytes(text.encode("utf-8"))
    group = load_group(root, Path("g.toml"))
    library = load_library(root).library
    kind, index = data.draw(edits(len(group.phrases)))
    phrases = list(group.phrases)
    if kind == "delete":
        del phrases[index]
    else:
        new = data.draw(stress_phrases(f"n{index}"))
        new = replace(new, title=new.title.strip(), tags=tuple(tag.strip() for tag in new.tags if tag.strip()))
        assume(new.title and "\n" not in new.title)
        if kind == "add":
            phrases.insert(index, new)
        else:
            phrases[index] = new
    wanted = replace(group, phrases=tuple(phrases))
    save_group(library, wanted, previous=group)

    after = (root / "g.toml").read_bytes().decode("utf-8")
    reloaded = load_group(root, Path("g.toml"))
    assert reloaded.phrases == wanted.phrases
    assert (reloaded.name, reloaded.category, reloaded.order) == (group.name, group.category, group.order)
    assert outside(after, None if kind == "delete" else index) == outside(text, None if kind == "add" else index)
    if kind == "update":  # the comment lines above the edited phrase's header stay too
        assert leading_comments(after, index) == leading_comments(text, index)


def leading_comments(text: str, index: int) -> list[str]:
    lines, bounds = blocks_of(text)
    block = lines[bounds[index] : bounds[index + 1]]
    return block[: next(number for number, line in enumerate(block) if line.lstrip().startswith("[[phrases]]"))]

HAND_WRITTEN = """\
# 物流话术：改之前先在群里说一声
name = "物流"
category = "售中"

# 最常用的一条
[[phrases]]
code = "wl1"
title = "物流繁忙"
body = "亲，最近物流繁忙，请耐心等待。"
tags = ["物流", "延迟"]

[[phrases]]
code = "wl2"
title = "催件"
body = \"\"\"
亲，已为您催件，
请留意物流信息。\"\"\"
tags = ["物流", "催件"]  # 售后也用
note = "客户第二次问时发"

[[phrases]]
code = "wl3"
title = "发货时间"
body = "亲，48小时内发货。"
"""


def diff_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0) if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.fixture
def hand_written(tmp_path) -> Path:
    (tmp_path / "logistics.toml").write_text(HAND_WRITTEN, encoding="utf-8")
    (tmp_path / "other.toml").write_text('name = "其他"\n\n[[phrases]]\ncode = "qt1"\ntitle = "其他"\nbody = "x"\ntags = ["a", "b"]\n', encoding="utf-8")
    return tmp_path


def test_appending_to_a_body_is_a_two_line_diff(hand_written):
    library = load_library(hand_written).library
    phrase = library.find_code("wl1")[1]
    edit.update_phrase(library, "logistics.toml", 0, replace(phrase, body=phrase.body + "谢谢"))
    after = (hand_written / "logistics.toml").read_text(encoding="utf-8")
    assert diff_lines(HAND_WRITTEN, after) == ['-body = "亲，最近物流繁忙，请耐心等待。"', '+body = "亲，最近物流繁忙，请耐心等待。谢谢"']


def test_adding_a_note_and_a_tag_touches_only_those_lines(hand_written):
    library = load_library(hand_written).library
    phrase = library.find_code("wl3")[1]
    edit.update_phrase(library, "logistics.toml", 2, replace(phrase, note="大促期间改成72小时", tags=("发货",)))
    after = (hand_written / "logistics.toml").read_text(encoding="utf-8")
    assert diff_lines(HAND_WRITTEN, after) == ['+tags = ["发货"]', '+note = "大促期间改成72小时"']


def test_editing_a_multiline_body_keeps_its_style_and_the_trailing_comment(hand_written):
    library = load_library(hand_written).library
    phrase = library.find_code("wl2")[1]
    edit.update_phrase(library, "logistics.toml", 1, replace(phrase, body="亲，已为您催件，\n请留意物流信息。\n谢谢！"))
    after = (hand_written / "logistics.toml").read_text(encoding="utf-8")
    assert diff_lines(HAND_WRITTEN, after) == ['-请留意物流信息。"""', "+请留意物流信息。", '+谢谢！"""']
    assert 'tags = ["物流", "催件"]  # 售后也用' in after


def test_adding_appends_in_the_files_style(hand_written):
    library = load_library(hand_written).library
    edit.add_phrase(library, "logistics.toml", Phrase(title="延迟补偿", body="亲，\n给您补偿", code="wl4", tags=("物流", "补偿")))
    after = (hand_written / "logistics.toml").read_text(encoding="utf-8")
    assert after.startswith(HAND_WRITTEN)
    assert after[len(HAND_WRITTEN) :] == '\n[[phrases]]\ncode = "wl4"\ntitle = "延迟补偿"\nbody = """\n亲，\n给您补偿"""\ntags = ["物流", "补偿"]\n'


def test_deleting_removes_only_its_lines_and_its_comment(hand_written):
    library = load_library(hand_written).library
    edit.delete_phrase(library, "logistics.toml", 0)
    after = (hand_written / "logistics.toml").read_text(encoding="utf-8")
    removed = diff_lines(HAND_WRITTEN, after)
    assert all(line.startswith("-") for line in removed)
    expected = ["-# 最常用的一条", "-[[phrases]]", '-code = "wl1"', '-title = "物流繁忙"', '-body = "亲，最近物流繁忙，请耐心等待。"', '-tags = ["物流", "延迟"]', "-"]
    assert sorted(removed) == sorted(expected)  # which blank line goes is difflib's choice
    assert after.startswith("# 物流话术：改之前先在群里说一声\n")


def test_deleting_the_last_phrase_keeps_the_file_ending(hand_written):
    library = load_library(hand_written).library
    edit.delete_phrase(library, "logistics.toml", 2)
    after = (hand_written / "logistics.toml").read_text(encoding="utf-8")
    assert after.endswith('note = "客户第二次问时发"\n')
    assert len(diff_lines(HAND_WRITTEN, after)) == 5


def test_moving_removes_here_and_appends_there(hand_written):
    library = load_library(hand_written).library
    other_before = (hand_written / "other.toml").read_text(encoding="utf-8")
    edit.move_phrase(library, "logistics.toml", 2, "other.toml")
    after = (hand_written / "logistics.toml").read_text(encoding="utf-8")
    assert all(line.startswith("-") for line in diff_lines(HAND_WRITTEN, after))
    other = (hand_written / "other.toml").read_text(encoding="utf-8")
    assert other.startswith(other_before)
    assert other[len(other_before) :] == '\n[[phrases]]\ncode = "wl3"\ntitle = "发货时间"\nbody = "亲，48小时内发货。"\n'


def test_group_settings_change_only_their_line(hand_written):
    library = load_library(hand_written).library
    edit.update_group(library, "logistics.toml", name="物流中心", order=5)
    after = (hand_written / "logistics.toml").read_text(encoding="utf-8")
    assert diff_lines(HAND_WRITTEN, after) == ['-name = "物流"', '+name = "物流中心"', "+order = 5"]


def test_a_layout_it_cannot_patch_falls_back_to_the_canonical_form(tmp_path):
    (tmp_path / "g.toml").write_text('name = "g"\nphrases = [{ title = "a", body = "b" }]\n', encoding="utf-8")
    library = load_library(tmp_path).library
    group = library.groups[0]
    save_group(library, replace(group, phrases=(replace(group.phrases[0], body="c"),)), previous=group)
    assert load_group(tmp_path, Path("g.toml")).phrases[0].body == "c"
    assert "[[phrases]]" in (tmp_path / "g.toml").read_text(encoding="utf-8")


def test_git_diff_of_a_one_phrase_edit_in_a_bundled_file(tmp_path):
    """The issue's case: a few characters appended to one body of a bundled group, under git."""
    import shutil

    from qr.config import bundled_library

    root = tmp_path / "lib"
    shutil.copytree(bundled_library(), root, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=root, check=True)
    library = load_library(root).library
    group = next(group for group in library.groups if len(group.phrases) > 3)
    phrase = group.phrases[2]
    edit.update_phrase(library, group.path, 2, replace(phrase, body=phrase.body + "谢谢"))
    stat = subprocess.run(["git", "diff", "--numstat"], cwd=root, check=True, capture_output=True, text=True).stdout.split()
    assert stat[:2] == ["1", "1"]

