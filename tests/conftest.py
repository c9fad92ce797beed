"""Every test runs with HOME and the XDG dirs in a temp folder: no test touches the user's files."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))  # the library generator is shared with the benchmarks
TESTDATA = ROOT.parent / "shared" / "testdata"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("QR_LIBRARY", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    yield home
    from qr.i18n import set_language

    set_language(None)  # a test that ran the app in Chinese must not leave core messages in Chinese


LIBRARY_TOML = """
name = "测试店"
shop = "测试旗舰店"

[vars.customer]
label = "客户称呼"
default = "亲"

[vars.order_id]
label = "订单号"
pattern = '^\\d{6,24}$'

[vars.tracking_no]
label = "快递单号"
"""

LOGISTICS_TOML = '''
name = "物流"
category = "售中"
order = 30

[[phrases]]
code = "wl1"
title = "物流繁忙安抚"
body = """
亲爱的{customer|亲}，最近物流繁忙，您的订单{order_id}会稍慢一些。"""
tags = ["安抚", "延迟"]
note = "客户催物流时使用"

[[phrases]]
code = "/WL2"
title = "包裹破损"
body = "很抱歉包裹破损了，请拍照给我们，{customer}。"

[[phrases]]
code = "wl10"
title = "催签收"
body = "您的快递{tracking_no}已到驿站，记得取件哦。"
'''

ENGLISH_TOML = '''
name = "English"
category = "英文"
order = 90

[[phrases]]
code = "en1"
title = "Shipping delay apology"
body = "Hi {customer|there}, sorry, your parcel is delayed. Today is {weekday}."
lang = "en"
'''


def write_library(root: Path, files: dict[str, str] | None = None) -> Path:
    files = files if files is not None else {
        "_library.toml": LIBRARY_TOML,
        "logistics.toml": LOGISTICS_TOML,
        "en/english.toml": ENGLISH_TOML,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def library_dir(tmp_path) -> Path:
    return write_library(tmp_path / "lib")


def build_app(library, *, watch_library: bool, clipboard=None, ui_lang: str | None = "en", cursor_blink: bool = False, **options):
    """The one way tests build qr's app: from a library folder (or an open Workspace), with a
    MemoryClipboard unless given, steady cursors, English unless told.

    `watch_library` is always said out loud: True polls the files once a second as `qr` does;
    False leaves live reload to the test (`app.live_reload.poll_now()`), so nothing changes
    under a test's feet.
    """
    from qr.app import make_app
    from qr.clipboard import MemoryClipboard
    from qr.workspace import Workspace, open_workspace

    workspace = library if isinstance(library, Workspace) else open_workspace(library)
    return make_app(
        workspace,
        clipboard=clipboard if clipboard is not None else MemoryClipboard(),
        ui_lang=ui_lang,
        cursor_blink=cursor_blink,
        watch_library=watch_library,
        **options,
    )

