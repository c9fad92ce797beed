"""A big library's relevance index (sentence queries, issue 16) is prepared in a thread after the
launcher's first frame (issue 19): the keystroke that first needs it gets the tiers' hits at once,
and the relevance hits replace them when the thread is done."""

from __future__ import annotations

import shutil
import threading
from datetime import datetime

from conftest import ROOT, build_app

from qr.index import sentences
from qr.index.relevance import RelevanceIndex
from qr.screens.launcher import QueryInput

QUESTION = "退款多久到账"  # an ask matches it (the tiers answer), relevance adds more


async def test_the_first_sentence_does_not_wait_for_the_relevance_build(tmp_path, monkeypatch):
    library = tmp_path / "lib"
    shutil.copytree(ROOT / "phrases", library)
    monkeypatch.setattr(sentences, "SYNC_BUILD_LIMIT", 0)  # the bundled library stands in for a big one
    # built here, not by a child process (tests/test_relevance_worker.py), so that it can be held
    monkeypatch.setattr("qr.index.relevance_worker.build_elsewhere", lambda index: False)
    release, started = threading.Event(), threading.Event()
    real_build = RelevanceIndex.build

    def held_build(cls, documents):
        started.set()
        assert release.wait(10)
        return real_build.__func__(cls, documents)

    monkeypatch.setattr(RelevanceIndex, "build", classmethod(held_build))
    app = build_app(library, watch_library=False, now=lambda: datetime(2026, 11, 25, 9, 30))
    async with app.run_test(size=(110, 32)) as pilot:
        assert started.wait(5)  # the worker began after the first frame, on its own
        query = app.screen.query_one(QueryInput)
        query.value = QUESTION
        await pilot.pause()
        waiting = app.screen.hits
        assert waiting and query.value == QUESTION  # answered while the build is held
        assert [hit.phrase.code for hit in waiting] == ["sh1"] and waiting[0].where == "ask"
        assert not sentences.relevance_ready(app.workspace.index)

        release.set()
        for _ in range(100):
            await pilot.pause(0.05)
            if any(hit.where == "relevance" for hit in app.screen.hits):
                break
        assert sentences.relevance_ready(app.workspace.index)
        arrived = app.screen.hits
        assert any(hit.where == "relevance" for hit in arrived)  # the same query, searched again
        # the same ranking the query path gives when it builds the index itself
        expected = app.workspace.index.search(QUESTION, limit=len(arrived), today=app.today(), usage=app.screen.usage())
        assert [hit.phrase.code for hit in arrived] == [hit.phrase.code for hit in expected]


def test_small_libraries_and_the_cli_build_on_the_query(tmp_path):
    from qr.index.phrase_index import PhraseIndex
    from qr.store.load import load_library

    library = tmp_path / "lib"
    shutil.copytree(ROOT / "phrases", library)
    index = PhraseIndex.from_libraries([load_library(library).library])
    assert not sentences.defer_relevance(index)  # below SYNC_BUILD_LIMIT: nothing to defer
    hits = index.search(QUESTION)
    assert sentences.relevance_ready(index) and any(hit.where == "relevance" for hit in hits)
