"""A big library's relevance index is built by a child process, not in the launcher (#19.5)."""

from __future__ import annotations

import shutil

from qr.config import bundled_library
from qr.index import sentences
from qr.index.relevance import RelevanceIndex
from qr.workspace import open_workspace

QUESTION = "退款多久到账"


def test_child_process_builds_the_file_the_caller_reads(tmp_path, monkeypatch):
    library = tmp_path / "lib"
    shutil.copytree(bundled_library(), library)
    expected = [hit.phrase.code for hit in open_workspace(library).index.search(QUESTION, limit=20)]  # built here
    stored = sentences._stored_path(open_workspace(library).index)
    assert stored is not None and stored.exists()
    stored.unlink()

    index = open_workspace(library).index
    monkeypatch.setattr(sentences, "SYNC_BUILD_LIMIT", 0)  # the bundled library stands in for a big one

    def refuse(cls, documents):
        raise AssertionError("built in the launcher's process")

    monkeypatch.setattr(RelevanceIndex, "build", classmethod(refuse))
    assert sentences.defer_relevance(index)
    sentences.prepare_relevance(index)
    assert stored.exists() and sentences.relevance_ready(index)
    assert [hit.phrase.code for hit in index.search(QUESTION, limit=20)] == expected


def test_a_failed_child_leaves_the_build_to_the_caller(tmp_path, monkeypatch):
    library = tmp_path / "lib"
    shutil.copytree(bundled_library(), library)
    index = open_workspace(library).index
    monkeypatch.setattr(sentences, "SYNC_BUILD_LIMIT", 0)
    monkeypatch.setattr("sys.executable", str(tmp_path / "no-such-python"))
    assert sentences.defer_relevance(index)
    found = sentences.prepare_relevance(index)
    assert isinstance(found, RelevanceIndex) and sentences.relevance_ready(index)
    assert any(hit.where == "relevance" for hit in index.search(QUESTION, limit=20))
