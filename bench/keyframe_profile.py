"""Where the launcher's keystrokes go: cProfile over Pilot-driven typing, beside the bare app.

    python bench/keyframe_profile.py [--size 100000] [--cycles 5] [--top 30] [--kind typo]

Builds the launcher on a generated library (warm cache, relevance index ready, 100x30, headless:
everything but writing the frame to a terminal), types the keystroke kinds of bench/keyframe.py
(the first cycle not counted), and prints the CPU per keystroke of the launcher and of the bare
app that redraws a 50-option list per key, the launcher's own stages per keystroke (search, hit
rows, option list, preview) and the functions that took the most time. Not a timing of the
terminal: bench/keyframe.py is; this says where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
from keyframe import MESSAGE, TYPED, TYPING_APP
from keyframe import base_env as _base_env


def strokes(kind: str | None) -> list[tuple[str, str]]:
    """(kind, key or text) of one cycle: typed kinds a key at a time, then clear; the paste as one
    Paste event; the burst as 40 keys pressed at once."""
    out: list[tuple[str, str]] = []
    for name, text in TYPED.items():
        if kind in (None, name):
            out += [(name, char) for char in text] + [("clear", "ctrl+u")]
    if kind in (None, "paste"):
        out += [("paste", MESSAGE), ("clear", "ctrl+u")]
    if kind in (None, "burst"):
        out += [("burst", MESSAGE), ("clear", "ctrl+u")]
    return out


KEY_NAMES = {" ": "space", "/": "slash"}


SETTLE = 0.1
"""Seconds given to each keystroke: the app handles it and draws its frames as it would in a terminal."""


async def drive(app, cycles: int, kind: str | None, profiler: cProfile.Profile | None, ready=None,
                stages: Stages | None = None) -> tuple[float, int]:
    """Type `cycles` cycles (plus one not counted) into `app`; (CPU seconds of the counted ones,
    keystrokes). Keys are posted to the app as the terminal driver posts them, then the app is left
    alone for SETTLE (Pilot's own waiting costs CPU in proportion to the widgets on screen)."""
    from textual.events import Paste

    async with app.run_test(size=(100, 30)) as pilot:
        if ready is not None:
            await ready(app, pilot)
        cpu, keys = 0.0, 0
        for cycle in range(cycles + 1):
            for name, key in strokes(kind):
                counted = cycle > 0 and name != "clear"
                start = time.process_time()
                if counted and profiler is not None:
                    profiler.enable()
                if stages is not None:
                    stages.counting = counted
                if name == "paste":
                    app.focused.post_message(Paste(key))
                else:
                    for char in ([key] if name in ("clear", *TYPED) else key):  # a burst: queued at once
                        app.post_message(_key_event(char))
                await asyncio.sleep(SETTLE)
                if counted and profiler is not None:
                    profiler.disable()
                if counted:
                    cpu += time.process_time() - start
                    keys += 1
        return cpu, keys


def _key_event(key: str):
    from textual.events import Key

    if key == "ctrl+u":
        return Key("ctrl+u", None)
    return Key(KEY_NAMES.get(key, key) if not key.isalnum() else key, key)


def bare_app():
    """The bare app keyframe.py measures beside the launcher (its script, without the run)."""
    namespace: dict = {}
    exec(TYPING_APP.replace("Typing().run()", ""), namespace)
    return namespace["Typing"]()


async def relevance_ready(app, pilot) -> None:
    import gc

    from qr.index.sentences import prepare_relevance

    gc.freeze()  # as `qr` does once the launcher is on screen (QrApp.resume_gc_after_start)
    prepare_relevance(app.workspace.index)  # after it, as the launcher's thread does; here before the timing
    await pilot.pause()


class Stages:
    """CPU time (of the app's thread) spent in chosen functions while counting (inclusive: an outer stage holds the inner
    ones), by stage, and each widget's render time (Textual's StylesCache.render_widget)."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = {}
        self.widgets: dict[str, list[float]] = {}
        self.counting = False
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)
        stages = self

        def timed(*args, **kwargs):
            if not stages.counting:
                return original(*args, **kwargs)
            start = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                row = stages.totals.setdefault(label, [0.0, 0])
                row[0] += time.thread_time() - start
                row[1] += 1

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def wrap_widgets(self) -> None:
        from textual._styles_cache import StylesCache

        original = StylesCache.render_widget
        stages = self

        def render_widget(cache, widget, crop):
            if not stages.counting:
                return original(cache, widget, crop)
            start = time.thread_time()
            try:
                return original(cache, widget, crop)
            finally:
                row = stages.widgets.setdefault(widget.id or type(widget).__name__, [0.0, 0])
                row[0] += time.thread_time() - start
                row[1] += 1

        StylesCache.render_widget = render_widget  # type: ignore[method-assign]
        self._undo.append((StylesCache, "render_widget", original))

    def wrap_gc(self) -> None:
        """The cyclic collector's pauses, by generation."""
        import gc

        started: list[float] = []
        stages = self

        def callback(phase: str, info: dict) -> None:
            if phase == "start":
                started[:] = [time.thread_time()]
            elif started and stages.counting:
                row = stages.totals.setdefault(f"gc generation {info['generation']}", [0.0, 0])
                row[0] += time.thread_time() - started[0]
                row[1] += 1

        gc.callbacks.append(callback)
        self._gc_callback = callback

    def undo(self) -> None:
        import gc

        if getattr(self, "_gc_callback", None) in gc.callbacks:
            gc.callbacks.remove(self._gc_callback)
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()


def textual_stages(stages: Stages) -> None:
    """What every Textual app pays per keystroke: layout, frames, option lists."""
    from textual._compositor import Compositor
    from textual.screen import Screen
    from textual.widgets import OptionList

    stages.wrap(Screen, "_refresh_layout", "layout + frame (Screen._refresh_layout)")
    stages.wrap(Compositor, "reflow", "  layout (Compositor.reflow)")
    stages.wrap(Compositor, "render_update", "frame (Compositor.render_update)")
    stages.wrap(OptionList, "set_options", "option list: set_options")
    stages.wrap(OptionList, "add_options", "option list: add_options")
    stages.wrap(OptionList, "clear_options", "option list: clear_options")
    stages.wrap_widgets()
    stages.wrap_gc()


def launcher_stages(stages: Stages) -> None:
    from qr.index.phrase_index import PhraseIndex
    from qr.screens import launcher

    stages.wrap(launcher.LauncherScreen, "_query_changed", "launcher: query changed (all)")
    stages.wrap(launcher.LauncherScreen, "_draw_hits", "launcher: draw hits")
    stages.wrap(PhraseIndex, "search", "  search")
    stages.wrap(launcher, "_option", "  hit rows (_option)")
    stages.wrap(launcher.LauncherScreen, "_highlight_changed", "launcher: highlight changed (preview)")
    stages.wrap(launcher.LauncherScreen, "_show_preview", "  preview (_show_preview)")


def print_stages(label: str, stages: Stages, keys: int, cpu: float) -> None:
    print(f"\n{label}: CPU {cpu * 1000 / keys:.1f} ms per keystroke; ms per keystroke (calls per keystroke) by stage:")
    for name, (total, calls) in stages.totals.items():
        print(f"  {name:<44} {total * 1000 / keys:>7.2f}  ({calls / keys:.1f})")
    rows = sorted(stages.widgets.items(), key=lambda item: -item[1][0])
    print("  widget renders: " + ", ".join(f"{name} {total * 1000 / keys:.2f} ({count / keys:.1f})"
                                          for name, (total, count) in rows[:10]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--kind", choices=[*TYPED, "paste", "burst"], help="only this kind")
    parser.add_argument("--top", type=int, default=0, help="also print this many functions from cProfile")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    parser.add_argument("--work", metavar="DIR", help="generated libraries are kept here (reused when present)")
    args = parser.parse_args()

    import os

    temp = Path(tempfile.mkdtemp(prefix="qr-keyprofile-"))
    os.environ.update(_base_env(temp / "home"))
    from generate import generate

    library = Path(args.work or temp) / f"lib{args.size}"
    if not (library / "_library.toml").exists():
        generate(args.size, library)

    from qr.app import make_app
    from qr.clipboard import MemoryClipboard
    from qr.workspace import open_workspace

    workspace = open_workspace(library)
    workspace.index.search("wlfm")

    def launcher():
        return make_app(workspace, clipboard=MemoryClipboard(), ui_lang="en", cursor_blink=False, watch_library=False)

    asyncio.run(drive(bare_app(), 1, args.kind, None))  # warm both up: imports, first layouts
    asyncio.run(drive(launcher(), 1, args.kind, None, relevance_ready))
    bare_stages, ours = Stages(), Stages()
    textual_stages(bare_stages)
    bare_cpu, keys = asyncio.run(drive(bare_app(), args.cycles, args.kind, None, stages=bare_stages))
    bare_stages.undo()
    textual_stages(ours)
    launcher_stages(ours)
    cpu, _ = asyncio.run(drive(launcher(), args.cycles, args.kind, None, relevance_ready, ours))
    ours.undo()
    print(f"{keys} keystrokes ({args.kind or 'every kind'}) per app, {args.size} phrases, headless 100x30; "
          f"launcher / bare CPU {cpu / bare_cpu:.2f}")
    print_stages("bare app (an Input, an OptionList of 50 refilled per key)", bare_stages, keys, bare_cpu)
    print_stages("launcher", ours, keys, cpu)
    if args.top:
        profiler = cProfile.Profile()
        asyncio.run(drive(launcher(), args.cycles, args.kind, profiler, relevance_ready))
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(f"\nlauncher under cProfile, sorted by {args.sort}:")
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
