"""The wording guide: lint's word lists with an alternative for each, readable by a new hire."""

from __future__ import annotations

from conftest import build_app, write_library
from textual.widgets import Static

from qr.screens.guide import GuideScreen, guide_sections
from qr.store.load import load_library
from qr.store.word_rules import AD_LAW, FORBIDDEN, KINDS, RISKY

SIZE = (100, 30)
LIBRARY = {
    "_library.toml": '[rules]\nforbidden = ["不归我管", "自己去查"]\nrisky = ["包邮到家"]\nallow = ["第一"]\n',
    "a.toml": 'name = "A"\n[[phrases]]\ncode = "a1"\ntitle = "t"\nbody = "b"\n',
}


def rows(static: Static) -> dict[str, str]:
    """term -> alternative, as the table on screen shows them."""
    table = static.content
    return {str(term).split("  (")[0]: str(alternative) for term, alternative in zip(table.columns[0].cells, table.columns[1].cells)}


def test_sections_follow_lint_and_the_library_rules(tmp_path):
    library = load_library(write_library(tmp_path / "lib", LIBRARY)).library
    sections = dict(guide_sections(library))
    assert list(sections) == list(KINDS)
    assert {FORBIDDEN, AD_LAW, RISKY, "off-platform", "review-incentive", "efficacy"} == set(KINDS)
    forbidden = {entry.term: entry for entry in sections[FORBIDDEN]}
    assert forbidden["你有没有搞错"].alternative  # built-in, with a better wording
    assert forbidden["自己去查"].source == "_library.toml"
    assert "第一" not in {entry.term for entry in sections[AD_LAW]}  # this library allows it
    assert "包邮到家" in {entry.term for entry in sections[RISKY]}
    assert all(entry.term for entries in sections.values() for entry in entries)


def test_built_in_lists_without_a_library():
    sections = dict(guide_sections(None))
    assert {"最低价", "第一"} <= {entry.term for entry in sections[AD_LAW]}


async def test_f4_shows_every_list_with_alternatives(tmp_path):
    root = write_library(tmp_path / "lib", LIBRARY)
    app = build_app(root, watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, GuideScreen)
        forbidden = rows(app.screen.query_one(f"#guide-{FORBIDDEN}", Static))
        assert forbidden["你有没有搞错"] == "麻烦您再核对一下，我这边也帮您确认"
        assert forbidden["自己去查"] == "rephrase without it"  # the library's own, no alternative given
        ad_law = rows(app.screen.query_one(f"#guide-{AD_LAW}", Static))
        assert ad_law["最低价"] and "第一" not in ad_law
        assert "包邮到家" in rows(app.screen.query_one(f"#guide-{RISKY}", Static))
        assert "第一" in str(app.screen.query_one("#guide-allowed", Static).render())
        await pilot.press("pagedown", "end")  # the page scrolls from the keyboard
        assert app.screen.query_one("#guide-page").scroll_y > 0
        await pilot.press("escape")
        assert not isinstance(app.screen, GuideScreen)


async def test_palette_opens_the_guide(library_dir):
    app = build_app(library_dir, ui_lang="zh", watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "用语指南")
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, GuideScreen)
        headings = " ".join(str(static.render()) for static in app.screen.query(".guide-heading").results(Static))
        assert "站外联系" in headings and "服务禁用语" in headings and "广告法极限词" in headings


async def test_the_guide_can_be_searched(library_dir):
    from textual.widgets import Input

    app = build_app(library_dir, watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4", "ctrl+f", *"搞错")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GuideScreen)
        forbidden = rows(screen.query_one(f"#guide-{FORBIDDEN}", Static))
        assert list(forbidden) == ["你有没有搞错"]
        await pilot.press(*"zzz")
        await pilot.pause()
        assert screen.query("#guide-none") and not screen.query(f"#guide-{FORBIDDEN}")
        await pilot.press("escape")  # clears the search first
        await pilot.pause()
        assert isinstance(app.screen, GuideScreen) and app.screen.query_one("#guide-search", Input).value == ""
        assert len(rows(app.screen.query_one(f"#guide-{FORBIDDEN}", Static))) > 1
