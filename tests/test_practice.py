"""Practice engine: Leitner boxes, forward and reverse questions, summaries, SQLite progress."""

from __future__ import annotations

import random
import sqlite3
from datetime import date

import pytest
from conftest import write_library

from qr.config import data_dir
from qr.practice import (
    DB_NAME,
    LEARNED_BOX,
    MAX_RETRIES,
    RETRY_GAP,
    PracticeError,
    PracticeRound,
    ProgressStore,
    category_entries,
    group_entries,
    learned,
    library_key,
)
from qr.store.entry import entries_of
from qr.store.load import load_library

GROUP_TOML = '''
name = "售后"
category = "售后"

[[phrases]]
code = "sh1"
title = "退货流程"
body = "退货请在订单页申请。"
note = "客户问怎么退货"

[[phrases]]
code = "sh2"
title = "换货流程"
body = "换货请联系客服。"

[[phrases]]
code = "sh3"
title = "退款到账"
body = "退款1-3天到账。"

[[phrases]]
code = "sh4"
title = "质量问题"
body = "请拍照。"

[[phrases]]
code = "sh5"
title = "七天无理由"
body = "支持七天无理由。"

[[phrases]]
title = "没有代码的话术"
body = "找得到，但不能练习。"

[[phrases]]
code = "old1"
title = "过期活动"
body = "双十一活动。"
valid_until = 2020-11-12
'''


@pytest.fixture
def entries(tmp_path):
    root = write_library(tmp_path / "lib", {"aftersale.toml": GROUP_TOML, "logistics.toml": _logistics()})
    return entries_of([load_library(root).library])


def _logistics() -> str:
    from conftest import LOGISTICS_TOML

    return LOGISTICS_TOML


def aftersale(entries):
    return [entry for entry in entries if entry.group.name == "售后"]


def store():
    return ProgressStore()


def test_store_lives_in_the_user_data_dir(isolated_home):
    assert ProgressStore().path == data_dir() / DB_NAME
    assert str(data_dir()).startswith(str(isolated_home))


def test_only_coded_current_phrases_are_practised(entries):
    round_ = PracticeRound(aftersale(entries), store(), rng=random.Random(1))
    assert round_.size == 5
    asked = set()
    while (question := round_.next_question()) is not None:
        asked.add(question.code)
        round_.answer(question.code)
    assert asked == {"sh1", "sh2", "sh3", "sh4", "sh5"}


def test_forward_answers_are_case_insensitive_with_optional_slash(entries):
    progress = store()
    round_ = PracticeRound(aftersale(entries), progress, rng=random.Random(2))
    question = round_.next_question()
    assert question.mode == "forward" and question.box == 1
    feedback = round_.answer("  /" + question.code.upper() + " ")
    assert feedback.correct and feedback.previous_box == 1 and feedback.box == 2
    assert progress.box(library_key(question.entry.library), question.code) == 2


def test_a_miss_goes_to_box_one_and_shows_the_answer(entries):
    progress = store()
    key = library_key(entries[0].library)
    progress.record(key, "sh1", 4, True)
    round_ = PracticeRound([e for e in aftersale(entries) if e.phrase.code == "sh1"], progress, rng=random.Random(0))
    question = round_.next_question()
    assert question.box == 4 and question.title == "退货流程" and question.note == "客户问怎么退货"
    feedback = round_.answer("th1")
    assert not feedback.correct
    assert (feedback.expected_code, feedback.given, feedback.box) == ("sh1", "th1", 1)
    assert progress.box(key, "sh1") == 1


def test_a_hit_climbs_one_box_at_most_to_five(entries):
    progress = store()
    key = library_key(entries[0].library)
    only = [e for e in aftersale(entries) if e.phrase.code == "sh2"]
    for expected in (2, 3, 4, 5, 5):
        round_ = PracticeRound(only, progress, rng=random.Random(0))
        assert round_.answer("sh2").box == expected
    assert progress.box(key, "sh2") == 5


def test_missed_items_come_back_sooner(entries):
    round_ = PracticeRound(aftersale(entries), store(), rng=random.Random(3))
    order = []
    first = round_.next_question().code
    round_.answer("wrong")
    while (question := round_.next_question()) is not None:
        order.append((question.code, question.repeat))
        round_.answer(question.code)
    # the missed phrase comes back after RETRY_GAP other questions, marked as a repeat, and only once
    assert order[RETRY_GAP] == (first, True)
    assert [code for code, _ in order].count(first) == 1
    assert len(order) == 5  # four others + the repeat


def test_retries_are_bounded_so_a_round_ends(entries):
    round_ = PracticeRound([e for e in aftersale(entries) if e.phrase.code == "sh3"], store(), rng=random.Random(0))
    asked = 0
    while round_.next_question() is not None:
        round_.answer("nope")
        asked += 1
    assert asked == 1 + MAX_RETRIES
    assert round_.finished and round_.next_question() is None
    with pytest.raises(PracticeError):
        round_.answer("sh3")


def test_weakest_phrases_are_asked_first(entries):
    progress = store()
    key = library_key(entries[0].library)
    for code in ("sh1", "sh2", "sh4", "sh5"):
        progress.record(key, code, 4, True)
    round_ = PracticeRound(aftersale(entries), progress, rng=random.Random(5))
    assert round_.next_question().code == "sh3"


def test_summary_counts_right_wrong_and_missed(entries):
    round_ = PracticeRound(aftersale(entries), store(), rng=random.Random(4))
    missed = []
    while (question := round_.next_question()) is not None:
        if question.code in ("sh2", "sh4") and not question.repeat:
            missed.append(question.code)
            round_.answer("x")
        else:
            round_.answer(question.code)
    summary = round_.summary()
    assert (summary.asked, summary.right, summary.wrong) == (7, 5, 2)
    assert summary.missed == tuple(missed)
    # nothing reaches box 3 after one round
    assert (summary.learned.learned, summary.learned.total) == (0, 5) and summary.saved


def test_reverse_mode_offers_four_titles_from_the_same_group(entries):
    round_ = PracticeRound(aftersale(entries), store(), mode="reverse", pool=entries, rng=random.Random(7))
    question = round_.next_question()
    titles = [choice.phrase.title for choice in question.choices]
    assert len(titles) == 4 and len(set(titles)) == 4
    assert titles[question.answer_index] == question.title
    assert all(choice.group.name == "售后" for choice in question.choices)
    wrong = next(i for i in range(4) if i != question.answer_index)
    feedback = round_.answer(wrong)
    assert not feedback.correct and feedback.given == titles[wrong] and feedback.expected_title == question.title
    right = round_.next_question()
    assert round_.answer(str(right.answer_index + 1)).correct  # typed 1-4 also works


def test_reverse_choices_are_deterministic_for_a_seed(entries):
    def first(seed):
        question = PracticeRound(aftersale(entries), store(), mode="reverse", pool=entries, rng=random.Random(seed)).next_question()
        return question.code, [choice.phrase.code for choice in question.choices]

    assert first(11) == first(11)


def test_reverse_distractors_fill_from_the_library_when_the_group_is_small(entries):
    logistics = [e for e in entries if e.group.name == "物流"]  # three phrases: two siblings only
    question = PracticeRound(logistics, store(), mode="reverse", pool=entries, rng=random.Random(0)).next_question()
    assert len(question.choices) == 4
    assert sum(choice.group.name == "物流" for choice in question.choices) == 3


def test_reverse_rejects_an_out_of_range_choice(entries):
    round_ = PracticeRound(aftersale(entries), store(), mode="reverse", rng=random.Random(0))
    round_.next_question()
    with pytest.raises(PracticeError):
        round_.answer(9)
    with pytest.raises(PracticeError):
        round_.answer("x")
    assert round_.current is not None  # a refused answer leaves the question open


def test_nothing_to_practise_and_bad_mode(entries):
    uncoded = [e for e in entries if e.phrase.code is None]
    with pytest.raises(PracticeError):
        PracticeRound(uncoded, store())
    with pytest.raises(PracticeError):
        PracticeRound(entries, store(), mode="sideways")


def test_progress_persists_across_two_engine_instances(entries):
    first = PracticeRound(aftersale(entries), ProgressStore(), rng=random.Random(8))
    while (question := first.next_question()) is not None:
        first.answer(question.code)
    second_store = ProgressStore()
    key = library_key(entries[0].library)
    assert second_store.boxes(key) == {code: 2 for code in ("sh1", "sh2", "sh3", "sh4", "sh5")}
    second = PracticeRound(aftersale(entries), second_store, rng=random.Random(9))
    while (question := second.next_question()) is not None:
        second.answer(question.code)
    assert learned(aftersale(entries), ProgressStore()).learned == 5
    # stored: codes and boxes only, in WAL mode, schema versioned
    with sqlite3.connect(data_dir() / DB_NAME) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
        columns = [row[1] for row in connection.execute("PRAGMA table_info(progress)")]
    assert columns == ["library", "code", "box", "right_count", "wrong_count", "last_practised"]


def test_progress_is_per_library(tmp_path, entries):
    other_root = write_library(tmp_path / "other", {"aftersale.toml": GROUP_TOML})
    other = entries_of([load_library(other_root).library])
    progress = ProgressStore()
    round_ = PracticeRound(aftersale(entries), progress, rng=random.Random(0))
    while (question := round_.next_question()) is not None:
        round_.answer(question.code)
    assert progress.boxes(library_key(other[0].library)) == {}
    assert progress.box(library_key(entries[0].library), "sh1") == 2


def test_learned_counts_box_three_and_up_per_group(entries):
    progress = store()
    key = library_key(entries[0].library)
    progress.record(key, "sh1", LEARNED_BOX, True)
    progress.record(key, "sh2", 5, True)
    progress.record(key, "sh3", 2, True)
    group = aftersale(entries)[0].group
    result = learned(group_entries(entries, group), progress)
    assert (result.learned, result.total, str(result)) == (2, 5, "2/5")
    assert learned(category_entries(entries, "售中"), progress).total == 3


def test_reset_forgets_progress(entries):
    progress = store()
    key = library_key(entries[0].library)
    progress.record(key, "sh1", 4, True)
    progress.reset(key, ["sh1"])
    assert ProgressStore().box(key, "sh1") == 1


def test_corrupt_database_is_reported_and_practice_carries_on(entries):
    path = data_dir() / DB_NAME
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a sqlite database at all" * 100)
    progress = ProgressStore()
    round_ = PracticeRound(aftersale(entries), progress, rng=random.Random(0))
    question = round_.next_question()
    assert round_.answer(question.code).box == 2
    assert progress.box(library_key(question.entry.library), question.code) == 2  # kept in memory
    assert not progress.persistent and str(path) in progress.problem and "\n" not in progress.problem
    assert not round_.summary().saved
    assert path.read_bytes().startswith(b"this is not")  # the broken file is left for the user


def test_newer_schema_is_left_alone(entries):
    path = data_dir() / DB_NAME
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 99")
    progress = ProgressStore()
    progress.record("lib", "sh1", 3, True)
    assert "newer" in progress.problem
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_unwritable_data_dir_is_reported(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    progress = ProgressStore(blocker / "sub" / DB_NAME)  # a file where the folder should be
    progress.record("lib", "a1", 2, True)
    assert progress.problem and progress.box("lib", "a1") == 2


def test_today_decides_what_is_expired(entries):
    round_ = PracticeRound(aftersale(entries), store(), today=date(2020, 11, 1), rng=random.Random(0))
    assert round_.size == 6  # the 双十一 phrase was still valid then


def test_a_limited_round_takes_the_weakest_first(entries):
    progress = store()
    key = library_key(entries[0].library)
    for code in ("sh1", "sh3", "sh5"):
        progress.record(key, code, 3, True)
    round_ = PracticeRound(aftersale(entries), progress, limit=2, rng=random.Random(0))
    assert round_.size == 2
    asked = set()
    while (question := round_.next_question()) is not None:
        asked.add(question.code)
        round_.answer(question.code)
    assert asked == {"sh2", "sh4"}
    assert round_.summary().learned.total == 5  # the summary speaks of the whole set
