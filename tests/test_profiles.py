"""Profiles: several libraries in order, shop and agent per profile, shadowed codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import build_app, write_library

from qr.cli import main
from qr.config import ConfigError, load_config, profiles_of, select_profile
from qr.store.load import load_library
from qr.store.shadowing import shadowed_codes
from qr.workspace import open_workspace

OWN_LIBRARY = {
    "_library.toml": 'name = "A店话术"\nshop = "A店(库)"\n',
    "logistics.toml": '''
        name = "A店物流"
        [[phrases]]
        code = "wl1"
        title = "A店物流安抚"
        body = "A店：{shop}的{agent}为您查询物流。"
        [[phrases]]
        code = "a1"
        title = "A店专属"
        body = "只在A店。"
        ''',
}
COMMON_LIBRARY = {
    "_library.toml": 'name = "通用话术"\nshop = "通用店"\n',
    "common.toml": '''
        name = "通用"
        [[phrases]]
        code = "wl1"
        title = "通用物流安抚"
        body = "通用：物流繁忙。"
        [[phrases]]
        code = "c1"
        title = "通用感谢"
        body = "感谢{shop}的顾客，我是{agent}。"
        ''',
}
B_LIBRARY = {
    "logistics.toml": '''
        name = "B店物流"
        [[phrases]]
        code = "b1"
        title = "B店专属"
        body = "只在B店。"
        ''',
}


@pytest.fixture
def shops(tmp_path, isolated_home) -> dict[str, Path]:
    """Three libraries and a config with profiles shopA (own + common) and shopB (B + common)."""
    paths = {
        "own": write_library(tmp_path / "shopA", OWN_LIBRARY),
        "common": write_library(tmp_path / "common", COMMON_LIBRARY),
        "b": write_library(tmp_path / "shopB", B_LIBRARY),
    }
    write_config(
        isolated_home,
        f'''
        agent = "配置客服"
        shop = "配置店"

        [profiles.shopA]
        shop = "A店旗舰店"
        agent = "小A"
        libraries = ["{paths["own"]}", "{paths["common"]}"]

        [profiles.shopB]
        agent = "小B"
        libraries = ["{paths["b"]}", "{paths["common"]}"]
        ''',
    )
    return paths


def write_config(home: Path, text: str) -> Path:
    import textwrap

    path = home / "xdg_config_home" / "qr" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_codes_resolve_in_profile_order(capsys, shops):
    code, out, _ = run(capsys, "--profile", "shopA", "render", "wl1")
    assert code == 0 and out == "A店：A店旗舰店的小A为您查询物流。\n"  # the shop's own library wins
    code, out, _ = run(capsys, "--profile", "shopA", "render", "c1")
    assert code == 0 and out == "感谢A店旗舰店的顾客，我是小A。\n"  # a shared phrase, with the profile's names
    code, out, _ = run(capsys, "render", "--profile", "shopB", "wl1")
    assert out == "通用：物流繁忙。\n"  # shopB has no own /wl1: the common one
    code, _, err = run(capsys, "--profile", "shopB", "render", "a1")
    assert code == 2 and "unknown code /a1" in err  # shopA's own phrases are not shopB's


def test_order_is_the_configured_order(shops, isolated_home):
    write_config(isolated_home, f'[profiles.x]\nlibraries = ["{shops["common"]}", "{shops["own"]}"]\n')
    workspace = open_workspace(profile="x")
    assert [library.root for library in workspace.libraries] == [shops["common"], shops["own"]]
    assert workspace.index.by_code("wl1").phrase.title == "通用物流安抚"


def test_shop_and_agent_come_from_profile_then_config_then_library(shops, isolated_home):
    a = open_workspace(profile="shopA")
    assert (a.shop, a.agent, a.profile_name) == ("A店旗舰店", "小A", "shopA")
    b = open_workspace(profile="shopB")  # no shop in the profile: the config's
    assert (b.shop, b.agent) == ("配置店", "小B")
    write_config(isolated_home, f'[profiles.bare]\nlibraries = ["{shops["own"]}", "{shops["common"]}"]\n')
    bare = open_workspace(profile="bare")  # neither: the first library's _library.toml
    assert (bare.shop, bare.agent) == ("A店(库)", "")


def test_unknown_profile_is_one_line_exit_2_naming_known_ones(capsys, shops):
    code, out, err = run(capsys, "--profile", "shopC", "render", "wl1")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "unknown profile 'shopC'" in err and "shopA, shopB" in err


def test_default_profile_and_explicit_library(capsys, shops, isolated_home, library_dir):
    config = isolated_home / "xdg_config_home" / "qr" / "config.toml"
    config.write_text('default_profile = "shopA"\n' + config.read_text(encoding="utf-8"), encoding="utf-8")
    assert run(capsys, "render", "a1")[1] == "只在A店。\n"  # the default profile
    assert run(capsys, "--profile", "shopB", "render", "b1")[1] == "只在B店。\n"  # --profile wins
    # naming a library means that library, not the default shop
    assert run(capsys, "--library", str(library_dir), "render", "wl2", "--set", "customer=x")[0] == 0
    assert open_workspace(library=library_dir).profile is None
    # --profile with --library: that library, with the profile's names
    both = open_workspace(library=library_dir, profile="shopA")
    assert [lib.root for lib in both.libraries] == [library_dir] and both.shop == "A店旗舰店"


def test_bad_default_profile_and_malformed_profiles(shops, isolated_home):
    write_config(isolated_home, 'default_profile = "gone"\n[profiles.a]\nlibraries = ["x"]\n')
    with pytest.raises(ConfigError, match="default_profile.*'gone'.*known profiles: a"):
        open_workspace()
    path = write_config(isolated_home, '[profiles.a]\nlibraries = "rel/lib"\n[profiles.b]\nlibraries = [1]\n')
    with pytest.raises(ConfigError, match=r"\[profiles.b\] libraries must be a list"):
        profiles_of(load_config())
    write_config(isolated_home, '[profiles.a]\nlibraries = "rel/lib"\n')
    # a single string is one folder; relative paths are relative to the config file's folder
    assert profiles_of(load_config())["a"].libraries == (path.parent / "rel/lib",)
    write_config(isolated_home, "")
    with pytest.raises(ConfigError, match="known profiles: none"):
        select_profile("x", load_config())


def test_problems_of_every_library_are_reported(capsys, shops):
    (shops["common"] / "broken.toml").write_text("name = \n", encoding="utf-8")
    code, out, err = run(capsys, "--profile", "shopA", "render", "a1")
    assert code == 0 and out == "只在A店。\n"
    assert str(shops["common"] / "broken.toml") in err  # the full path: which library it is in
    workspace = open_workspace(profile="shopA")
    assert [problem.file for problem in workspace.problems] == [shops["common"] / "broken.toml"]


def test_missing_library_of_a_profile(capsys, shops, isolated_home, tmp_path):
    write_config(isolated_home, f'[profiles.x]\nlibraries = ["{shops["own"]}", "{tmp_path / "nowhere"}"]\n')
    code, _, err = run(capsys, "--profile", "x", "list")
    assert code == 2 and f"library folder not found: {tmp_path / 'nowhere'}" in err


def test_list_and_search_cover_every_library(capsys, shops):
    code, out, _ = run(capsys, "--profile", "shopA", "list", "--json")
    rows = json.loads(out)
    assert [row["code"] for row in rows] == ["wl1", "a1", "wl1", "c1"]
    assert rows[2]["file"] == str(shops["common"] / "common.toml")
    code, out, _ = run(capsys, "--profile", "shopA", "search", "感谢", "--json")
    assert [hit["code"] for hit in json.loads(out)] == ["c1"]


def test_shadowed_codes_name_both_files(shops):
    own, common = load_library(shops["own"]).library, load_library(shops["common"]).library
    findings = shadowed_codes([own, common])
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.rule, finding.severity, finding.code) == ("shadowed-code", "warning", "wl1")
    assert finding.file == shops["common"] / "common.toml" and finding.line == 2
    assert f"{shops['own'] / 'logistics.toml'}:2" in finding.message
    # the other way round the shop's own phrase is the one shadowed
    assert shadowed_codes([common, own])[0].file == shops["own"] / "logistics.toml"
    assert shadowed_codes([own]) == []
    b = load_library(shops["b"]).library
    assert shadowed_codes([b, common]) == []


def test_shadowing_ignores_duplicates_inside_one_library(tmp_path):
    dup = write_library(tmp_path / "dup", {"a.toml": DUP_GROUP, "b.toml": DUP_GROUP})
    other = write_library(tmp_path / "other", {"c.toml": DUP_GROUP})
    libraries = [load_library(dup).library, load_library(other).library]
    findings = shadowed_codes(libraries)
    # /x is a duplicate within `dup` (duplicate-code's business) and shadowed once in `other`
    assert [(f.file, f.rule) for f in findings] == [(other / "c.toml", "shadowed-code")]
    assert str(dup / "a.toml") in findings[0].message


DUP_GROUP = '''
name = "g"
[[phrases]]
code = "x"
title = "t"
body = "b"
'''


def test_qr_lint_reports_shadowing_for_a_profile(capsys, shops, library_dir):
    code, out, _ = run(capsys, "--profile", "shopA", "lint", "--json")
    findings = json.loads(out)
    shadowed = [f for f in findings if f["rule"] == "shadowed-code"]
    assert len(shadowed) == 1 and shadowed[0]["file"] == str(shops["common"] / "common.toml")
    assert code == 0  # a warning, not an error
    code, out, _ = run(capsys, "--profile", "shopA", "lint")
    assert "shadowed-code /wl1" in out and str(shops["own"] / "logistics.toml") in out
    assert "4 phrases in 2 groups" in out
    # a single library never reports shadowing
    code, out, _ = run(capsys, "--library", str(library_dir), "lint", "--json")
    assert not [f for f in json.loads(out) if f["rule"] == "shadowed-code"]


# -- the launcher (Pilot) ------------------------------------------------------------------------


def _app(workspace, tmp_path, clipboard=None):
    from qr.usage import UsageStore

    return build_app(workspace, clipboard=clipboard, usage=UsageStore(tmp_path / "usage.sqlite3"), watch_library=False)


def _status(app) -> str:
    return str(app.screen.query_one("#profile-status").render())


async def test_launcher_switches_profile(shops, tmp_path):
    from qr.clipboard import MemoryClipboard
    from qr.screens.launcher import LauncherScreen
    from qr.screens.profiles import ProfileSwitcher

    clipboard = MemoryClipboard()
    app = _app(open_workspace(profile="shopA"), tmp_path, clipboard)
    async with app.run_test(size=(100, 30)) as pilot:
        launcher = app.screen
        assert "A店旗舰店" in _status(app) and "shopA" in _status(app)  # the shop is always in view
        assert [hit.phrase.code for hit in launcher.hits] == ["wl1", "a1", "wl1", "c1"]
        await pilot.press(*"/wl1")
        await pilot.pause()
        assert launcher.current_entry.library.root == shops["own"]  # /wl1 is the shop's own first
        await pilot.press("escape")
        app.update_context({"customer": "王女士", "order_id": "123456789"})
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ProfileSwitcher)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)
        assert app.workspace.profile_name == "shopB"
        assert dict(app.context) == {}  # shop A's customer does not follow the agent to shop B
        assert "shopB" in _status(app) and "A店旗舰店" not in _status(app)
        assert [hit.phrase.code for hit in app.screen.hits] == ["b1", "wl1", "c1"]
        await pilot.press(*"/c1", "enter")
        await pilot.pause()
        assert clipboard.copied == ["感谢配置店的顾客，我是小B。"]  # shop B's names now
        # Esc in the switcher keeps the profile
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.workspace.profile_name == "shopB"


async def test_switcher_without_profiles_says_so(library_dir, tmp_path):
    from qr.screens.launcher import LauncherScreen

    app = _app(open_workspace(library_dir), tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)
        assert any("No profiles" in n.message for n in app._notifications)
        assert not app.screen.query_one("#profile-status").display  # nothing to show without a profile


async def test_other_screens_show_the_shop_too(shops, tmp_path):
    from qr.screens.browser import BrowserScreen

    app = _app(open_workspace(profile="shopA"), tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        assert not app.screen.query("#profile-badge")  # the launcher has it on its status line
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        badge = app.screen.query_one("#profile-badge")
        assert "A店旗舰店" in str(badge.render()) and "shopA" in str(badge.render())
        await pilot.press("f6")  # switching from another screen is refused: it holds shop A's library
        await pilot.pause()
        assert app.workspace.profile_name == "shopA"
        assert isinstance(app.screen, BrowserScreen)
