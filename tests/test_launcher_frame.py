"""The launcher's per-keystroke work (issue #19.6): keys that arrive together are searched once and
end on the final query; the preview redraws only what changed and still lays itself out when its
text grows or shrinks."""

from __future__ import annotations

from conftest import build_app, write_library
from textual.events import Key

from qr.screens.launcher import HitList, PreviewText

LONG = "亲，" + "您的包裹已经从仓库发出，预计三到五天送达，请留意物流信息。" * 6
TWO_BODIES = {
    "_library.toml": 'name = "店"\n',
    "a.toml": f'''name = "售后"

[[phrases]]
code = "s1"
title = "短回复"
body = "好的亲。"

[[phrases]]
code = "s2"
title = "长回复"
body = "{LONG}"
note = "长的说明"
''',
}


def searched_queries(app, monkeypatch) -> list[str]:
    """Record every query the launcher searches from now on."""
    index = app.workspace.index
    search = index.search
    queries: list[str] = []

    def recording(query, *args, **kwargs):
        queries.append(query)
        return search(query, *args, **kwargs)

    monkeypatch.setattr(index, "search", recording)
    return queries


def preview_text(app, name: str) -> str:
    return str(app.screen.query_one(f"#{name}", PreviewText).render())


async def test_a_burst_of_keys_is_searched_once_and_ends_on_the_final_query(library_dir, monkeypatch):
    app = build_app(library_dir, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        queries = searched_queries(app, monkeypatch)
        for char in "wlfm":  # as a terminal delivers a burst: every key queued before any is handled
            app.post_message(Key(char, char))
        await pilot.pause()
        launcher = app.screen
        assert launcher.query_text == "wlfm"
        assert queries[-1] == "wlfm"
        assert len(queries) < 4  # not once per key: the stale queries were never searched
        expected = app.workspace.index.search("wlfm", limit=50, usage=launcher.usage(), today=app.today())
        assert [hit.phrase.code for hit in launcher.hits] == [hit.phrase.code for hit in expected]
        assert launcher.current_entry.phrase.title == "物流繁忙安抚"
        assert "物流繁忙安抚" in preview_text(app, "preview-title")
        assert "最近物流繁忙" in preview_text(app, "preview-body")


async def test_keys_typed_one_by_one_are_each_searched(library_dir, monkeypatch):
    app = build_app(library_dir, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        queries = searched_queries(app, monkeypatch)
        for char in "wlfm":
            await pilot.press(char)
            await pilot.pause()
        assert queries == ["w", "wl", "wlf", "wlfm"]


async def test_a_key_that_keeps_the_same_hit_leaves_the_preview_alone(library_dir, monkeypatch):
    app = build_app(library_dir, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"wlf")
        await pilot.pause()
        assert app.screen.current_entry.phrase.code == "wl1"
        updates: list[str] = []
        update = PreviewText.update

        def counting(self, *args, **kwargs):
            updates.append(self.id)
            return update(self, *args, **kwargs)

        monkeypatch.setattr(PreviewText, "update", counting)
        await pilot.press("m")
        await pilot.pause()
        assert app.screen.current_entry.phrase.code == "wl1"
        assert updates == []
        await pilot.press("escape", *"/wl2")  # another phrase: redrawn
        await pilot.pause()
        assert app.screen.current_entry.phrase.code == "wl2"
        assert {"preview-title", "preview-body"} <= set(updates)
        assert "包裹破损" in preview_text(app, "preview-title")
        assert "包裹破损了" in preview_text(app, "preview-body")


async def test_the_preview_lays_itself_out_when_the_body_grows_and_shrinks(tmp_path):
    app = build_app(write_library(tmp_path / "lib", TWO_BODIES), watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen

        def laid_out() -> tuple[int, int]:
            body = screen.query_one("#preview-body", PreviewText)
            state = screen.query_one("#preview-state", PreviewText)
            lines = body.get_content_height(body.size, app.size, body.content_region.width)
            assert body.content_region.height == lines  # every line of the body has its row
            assert state.region.y >= body.region.bottom  # and what follows moved down or up
            return lines, state.region.y

        await pilot.press(*"/s1")
        await pilot.pause()
        short = laid_out()
        assert "好的亲" in preview_text(app, "preview-body")
        await pilot.press("backspace", "2")
        await pilot.pause()
        assert screen.current_entry.phrase.code == "s2"
        long = laid_out()
        assert long[0] > short[0] + 3 and long[1] > short[1]
        assert "长的说明" in preview_text(app, "preview-note")
        await pilot.press("backspace", "1")
        await pilot.pause()
        assert laid_out() == short
        assert preview_text(app, "preview-note") == ""


def many(count: int) -> dict[str, str]:
    phrases = "".join(f'[[phrases]]\ncode = "m{n}"\ntitle = "话术{n}"\nbody = "回复{n}"\n\n' for n in range(count))
    return {"_library.toml": 'name = "多"\n', "many.toml": f'name = "多"\n\n{phrases}'}


async def test_the_hit_list_scrollbar_follows_its_rows_and_the_terminal_size(tmp_path):
    app = build_app(write_library(tmp_path / "lib", many(120)), watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        hits = app.screen.query_one(HitList)
        bar = hits.vertical_scrollbar
        assert hits.show_vertical_scrollbar
        assert (bar.window_virtual_size, bar.window_size) == (50, hits.scrollable_content_region.height)
        await pilot.press(*"m1")  # typing lays the screen out; the list keeps a true scrollbar
        await pilot.pause()
        assert bar.window_virtual_size == len(app.screen.hits) > hits.scrollable_content_region.height
        await pilot.press("end")  # the true last hit: every row drawn, the list scrolled to it
        await pilot.pause()
        assert bar.window_virtual_size == len(app.screen.hits) and hits.scroll_y > 0 and bar.position == hits.scroll_y
        await pilot.resize_terminal(100, 40)
        await pilot.pause()
        assert bar.window_size == hits.scrollable_content_region.height > 23
        await pilot.press(*"0")  # m10, m100-m109: fewer rows than fit, no scrollbar
        await pilot.pause()
        assert len(app.screen.hits) < hits.scrollable_content_region.height
        assert not hits.show_vertical_scrollbar
