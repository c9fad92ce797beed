"""Search quality floors (issue 16): recall@5 of buyer questions on the bundled library and on a
library built from the TalkQ replies, and of the classic title / pinyin / initials / typo queries.
`python bench/evaluate.py` prints the table these floors come from (and `--misses`, the misses)."""

from __future__ import annotations

import pytest
from evaluate import TALKQ, build_talkq_library, questions
from evaluate import testdata_dir as shared_testdata

FLOORS = {
    "bundled": {"buyer": 0.98, "title": 0.99, "pinyin": 0.99, "initials": 0.99, "typo": 0.95},
    "talkq": {"buyer": 0.91},
}


@pytest.fixture(scope="module")
def results():
    from evaluate import evaluate

    return evaluate()


def test_the_question_set_is_large_enough_and_written_for_both_libraries():
    assert len(questions("talkq")) >= 150
    assert len(questions("bundled")) >= 150


@pytest.mark.parametrize("kind", ["buyer", "title", "pinyin", "initials", "typo"])
def test_bundled_library_recall_at_5(results, kind):
    assert results["bundled"][kind] >= FLOORS["bundled"][kind], results["bundled"]


def test_talkq_library_recall_at_5(results):
    if "talkq" not in results:
        pytest.skip("the shared test data (cs_scripts/talkq_scripts_extracted.jsonl) is not present")
    assert results["talkq"]["buyer"] >= FLOORS["talkq"]["buyer"], results["talkq"]


def test_talkq_library_is_built_with_scenarios_as_notes(tmp_path):
    data = shared_testdata()
    if data is None:
        pytest.skip("the shared test data is not present")
    from qr.store import load_library

    result = load_library(build_talkq_library(data / TALKQ, tmp_path))
    phrases = [phrase for _, phrase in result.library.phrases()]
    assert result.problems == () and len(phrases) == 945
    assert all(phrase.title and phrase.note for phrase in phrases)
