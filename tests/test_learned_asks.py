"""learn_asks (issue 16.7): what is kept of a query, suggestions, accepting one, `qr asks`."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import ROOT

from qr.cli import main
from qr.learned_asks import LearnedAsks, clean
from qr.store import load_library


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("退款多久到账", "退款多久到账"),
        ("订单号 4829301938475 怎么还没发货", "订单号 怎么还没发货"),
        ("我是王小明，我的快递到哪了", "我的快递到哪了"),
        ("张先生的包裹破损了怎么办", "的包裹破损了怎么办"),
        ("手机13812345678 收不到货", "手机 收不到货"),
        ("where is my parcel, John Smith", "where is my parcel"),
        ("my name is Alice and my refund is late", "and my refund is late"),
        ("email me at someone@example.com about the refund please", "email me at about the refund please"),
        ("/wl1", None),
        ("wlfm", None),
        ("123456789", None),
        ("退款", None),
    ],
)
def test_clean_removes_numbers_names_and_addresses(query, kept):
    assert clean(query) == kept


def test_suggestions_need_repeats_and_stay_per_profile(tmp_path):
    store = LearnedAsks(tmp_path / "learned.sqlite3")
    assert store.record("default", "SH1", "退款多久到账 订单 20261130") == "退款多久到账 订单"
    assert store.suggestions() == []  # once is not a pattern
    store.record("default", "sh1", "退款多久到账 订单 99")
    store.record("other", "wl1", "我的快递到哪了")
    store.record("other", "wl1", "我的快递到哪了")
    assert [(s.code, s.text, s.count) for s in store.suggestions("default")] == [("sh1", "退款多久到账 订单", 2)]
    assert [s.code for s in store.suggestions()] == ["wl1", "sh1"]  # equal counts: the latest first
    assert store.record("default", "", "退款多久到账") is None  # no code, nothing kept
    assert store.forget("sh1") == 1
    assert [s.code for s in store.suggestions()] == ["wl1"]
    store.close()
    # nothing personal on disk: the numbers never reached the file
    assert b"20261130" not in (tmp_path / "learned.sqlite3").read_bytes()


def test_qr_asks_suggest_accept_and_forget(tmp_path, capsys):
    library = tmp_path / "lib"
    shutil.copytree(ROOT / "phrases", library)
    store = LearnedAsks()
    for _ in range(3):
        store.record("", "sh1", "钱什么时候能退回来")
    store.record("", "wl1", "快递怎么这么慢啊")
    store.record("", "wl1", "快递怎么这么慢啊")
    store.close()

    assert main(["--library", str(library), "asks", "suggest", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(row["code"], row["text"], row["count"]) for row in rows] == [
        ("sh1", "钱什么时候能退回来", 3), ("wl1", "快递怎么这么慢啊", 2),
    ]

    assert main(["--library", str(library), "asks", "accept", "sh1", "钱什么时候能退回来"]) == 0
    phrase = next(p for _, p in load_library(library).library.phrases() if p.code == "sh1")
    assert phrase.asks[-1] == "钱什么时候能退回来"
    capsys.readouterr()
    assert main(["--library", str(library), "asks", "suggest", "--json"]) == 0
    assert [row["code"] for row in json.loads(capsys.readouterr().out)] == ["wl1"]

    assert main(["--library", str(library), "asks", "forget"]) == 0
    assert main(["--library", str(library), "asks", "suggest", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


async def test_suggestions_view_adds_an_ask_in_one_key(tmp_path):
    from conftest import build_app

    from qr.config import config_dir
    from qr.screens.asks_suggestions import AsksSuggestions

    library = tmp_path / "lib"
    shutil.copytree(ROOT / "phrases", library)
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "config.toml").write_text("learn_asks = true\n", encoding="utf-8")
    store = LearnedAsks()
    for _ in range(2):
        store.record("", "wl1", "快递怎么这么慢啊")
        store.record("", "sh1", "钱什么时候能退回来")
    store.close()
    app = build_app(library, watch_library=False)
    async with app.run_test(size=(110, 32)) as pilot:
        app.screen.query_one("HitList").focus()
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, AsksSuggestions)
        assert len(app.screen._rows) == 2
        first_code = app.screen._rows[0][0].phrase.code
        await pilot.press("a")
        await pilot.pause()
        assert len(app.screen._rows) == 1
        await pilot.press("x")
        await pilot.pause()
        assert app.screen._rows == []
        await pilot.press("escape")
    phrases = {p.code: p for _, p in load_library(library).library.phrases()}
    accepted = {"wl1": "快递怎么这么慢啊", "sh1": "钱什么时候能退回来"}[first_code]
    assert phrases[first_code].asks[-1] == accepted
    assert LearnedAsks().suggestions() == []
