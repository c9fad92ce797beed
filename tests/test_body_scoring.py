"""Issue 16, deliver 5: a match decided by the note or the body is scored by how much of the query
that field holds in one piece and where, not flat; the tier order holds (title and ask matches of
the same words first, a group-name-only match last); ties go by usage, then library order.

In each case the better phrase comes second in its file: a flat score would rank it second."""

from __future__ import annotations

import json

import pytest
from conftest import write_library

from qr.index.phrase_index import PhraseIndex
from qr.index.tiers import BODY_SCORES, NOTE_SCORES, graded_score
from qr.store import load_library


def phrase(code: str, title: str, body: str, **fields: object) -> str:
    lines = [f"[[phrases]]\ncode = {json.dumps(code)}\ntitle = {json.dumps(title, ensure_ascii=False)}",
             f"body = {json.dumps(body, ensure_ascii=False)}"]
    lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    return "\n".join(lines) + "\n"


def index_of(tmp_path, *phrases: str, group: str = "其他") -> PhraseIndex:
    root = write_library(tmp_path, {"a.toml": f'name = "{group}"\n' + "".join(phrases)})
    return PhraseIndex.from_libraries([load_library(root).library])


def codes(hits) -> list[str]:
    return [hit.phrase.code for hit in hits]


def test_an_earlier_body_match_ranks_first(tmp_path):
    index = index_of(
        tmp_path,
        phrase("late", "回复甲", "好的，我们已经收到您的留言，仓库核实后会尽快处理，如需发票请联系我们"),
        phrase("early", "回复乙", "发票会随包裹一起寄出，请注意查收"),
    )
    hits = index.search("发票")
    assert codes(hits) == ["early", "late"]
    assert hits[0].where == hits[1].where == "body"
    assert BODY_SCORES[0] <= hits[1].score < hits[0].score <= BODY_SCORES[1]


def test_a_match_at_a_sentence_start_outranks_one_inside_a_sentence(tmp_path):
    index = index_of(
        tmp_path,
        phrase("inside", "回复甲", "我们这边可以开发票，下单后填写抬头"),
        phrase("sentence", "回复乙", "已收到。发票下单后填写抬头"),
    )
    assert codes(index.search("发票")) == ["sentence", "inside"]


def test_a_body_that_holds_the_query_in_one_piece_outranks_one_with_its_words_apart(tmp_path):
    index = index_of(
        tmp_path,
        phrase("apart", "Reply A", "Refund requests are welcome. Our usual shipping timeline is three days."),
        phrase("together", "Reply B", "Hello there. The refund timeline is five working days."),
    )
    hits = index.search("refund timeline")
    assert codes(hits) == ["together", "apart"]
    assert hits[0].where == hits[1].where == "body"


def test_a_body_that_holds_more_of_the_query_outranks_one_that_holds_part_of_it(tmp_path):
    # both hold every word somewhere (all words must match); "part" has "damaged" only in a tag
    index = index_of(
        tmp_path,
        phrase("part", "Reply A", "A resend goes out within two days.", tags=["damaged"]),
        phrase("whole", "Reply B", "We are sorry it came damaged and will resend it.", tags=["after-sales"]),
    )
    hits = index.search("damaged resend")
    assert codes(hits) == ["whole", "part"]
    assert hits[0].where == hits[1].where == "body"


def test_notes_are_graded_too_and_stay_above_bodies(tmp_path):
    index = index_of(
        tmp_path,
        phrase("body", "回复丙", "寄回去之前请先申请售后"),
        phrase("late", "回复甲", "x", note="买家已经申请售后并且在问怎么寄回去时用"),
        phrase("early", "回复乙", "x", note="寄回去的地址被问到时用"),
    )
    hits = index.search("寄回去")
    assert codes(hits) == ["early", "late", "body"]
    assert [hit.where for hit in hits] == ["note", "note", "body"]
    assert NOTE_SCORES[0] <= hits[1].score < hits[0].score <= NOTE_SCORES[1]


def test_the_best_body_match_never_outranks_a_title_or_ask_match_and_group_names_stay_last(tmp_path):
    index = index_of(
        tmp_path,
        phrase("group", "其他说明", "x"),
        phrase("body", "回复甲", "发票会随包裹一起寄出"),
        phrase("ask", "回复乙", "x", asks=["能开发票吗"]),
        phrase("title", "开具发票", "x"),
        group="发票",
    )
    hits = index.search("发票")
    assert codes(hits) == ["title", "ask", "body", "group"]
    assert [hit.where for hit in hits] == ["title", "ask", "body", "group"]


def test_equal_body_matches_go_by_usage_then_library_order(tmp_path):
    body = "发票会随包裹一起寄出"
    index = index_of(tmp_path, *(phrase(code, f"回复{code}", body) for code in ("b1", "b2", "b3")))
    assert codes(index.search("发票")) == ["b1", "b2", "b3"]
    assert codes(index.search("发票", usage={"b3": 2.0, "b2": 1.0})) == ["b3", "b2", "b1"]


@pytest.mark.parametrize(("better", "worse"), [
    ("发票会寄出", "我们会开发票"),                 # start of the field beats inside a sentence
    ("您好。发票会寄出", "您好我们发票会寄出"),       # a sentence start beats a word inside one
    ("亲，发票会寄出", "亲我们的发票会寄出"),         # so does a clause start
    ("发票会寄出" + "。" * 50, "。" * 50 + "发票会寄出"),  # earlier beats later
])
def test_graded_score_orders_positions(better, worse):
    assert graded_score("body", better, ["发票"]) > graded_score("body", worse, ["发票"])


def test_graded_score_stays_inside_the_band():
    best = graded_score("body", "refund timeline", ["refund", "timeline"])
    worst = graded_score("body", "x" * 500 + "timeline" + "y" * 500 + "refund", ["refund", "timeline"])
    assert best == BODY_SCORES[1]
    assert BODY_SCORES[0] < worst < best
    assert graded_score("note", "refund timeline", ["refund", "timeline"]) == NOTE_SCORES[1]


def test_the_best_body_match_is_found_behind_a_full_page_of_weaker_ones(tmp_path):
    weaker = [phrase(f"w{n}", f"回复{n}", "我们这边可以开发票，下单后填写抬头") for n in range(80)]
    index = index_of(tmp_path, *weaker, phrase("best", "回复最后", "发票会随包裹一起寄出"))
    hits = index.search("发票", limit=10)
    assert codes(hits)[:2] == ["best", "w0"] and len(hits) == 10


def test_explain_says_how_much_of_the_query_a_body_holds_and_where(tmp_path, capsys):
    from qr.cli import main

    root = write_library(tmp_path, {"a.toml": 'name = "其他"\n' + phrase("b1", "回复甲", "亲，好的。发票会随包裹寄出")})
    assert main(["search", "--library", str(root), "--explain", "--json", "发票"]) == 0
    why = json.loads(capsys.readouterr().out)[0]["explain"]
    assert why["tier"] == "body" and why["grade"] == {"coverage": 1.0, "at": 5, "opening": "sentence"}
    assert main(["search", "--library", str(root), "--explain", "发票"]) == 0
    assert "body holds 100% of the query, from character 6 (the start of a sentence)" in capsys.readouterr().out
