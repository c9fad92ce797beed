"""Textual's compositor, but a wide (Chinese) character drawn over a widget edge stays whole.

Textual 8.2.8 cuts every screen line at every edge of every visible widget, then fills each piece
from the front-most widget there. Those cuts include the edges of widgets *hidden below* a layered
widget: a toast over the editor's two columns is cut where the columns meet, and a character
such as 包 that spans the cut is split into two halves, which Rich draws as two spaces
(`Saved /wl4   裹破损`). Upstream: https://github.com/Textualize/textual/issues/6357 (open).
A minimal reproduction is in docs/decisions.md.

Here a widget's line is cut only where what is in front changes: the neighbouring pieces it wins
are drawn as one strip (the pieces after the first hold an empty strip, so nothing behind claims
them). A character half covered by a widget in front is still cut, as it must be.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import cast

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

_TAKEN = Strip([], 0)
"""Stands in a piece drawn by the strip of the piece before it."""


class WideCharCompositor(Compositor):
    """`Compositor` whose pieces of a line are cut only where the front-most widget changes."""

    def _render_chops(self, crop: Region, is_rendered_line: Callable[[int], bool]) -> Sequence[Mapping[int, Strip]]:
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(line_cuts[:-1]) for line_cuts in cuts]
        for region, clip, strips in self._get_renders(crop):  # front to back
            render_region = region.intersection(clip)
            render_x = render_region.x
            first_cut, last_cut = render_region.column_span
            for y, strip in zip(render_region.line_range, strips):
                if not is_rendered_line(y):
                    continue
                line = chops[y]
                # runs of neighbouring pieces that are all still free (this widget is in front
                # there) or all taken by a widget in front: (first cut, free)
                runs: list[tuple[int, bool]] = []
                for cut in cuts[y]:
                    if cut < first_cut:
                        continue
                    if cut >= last_cut:
                        break
                    free = line[cut] is None
                    if not runs or runs[-1][1] is not free:
                        runs.append((cut, free))
                    elif free:
                        line[cut] = _TAKEN  # drawn by the run's strip
                if not runs:
                    continue
                ends = [start - render_x for start, _ in runs[1:]]
                ends.append(last_cut - render_x)
                for (start, free), piece in zip(runs, strip.divide(ends)):
                    if free:
                        line[start] = piece
        return cast("Sequence[Mapping[int, Strip]]", chops)

    def render_partial_update(self) -> ChopsUpdate | None:
        update = super().render_partial_update()
        if update is None:
            return None
        # A run's strip is wider than its first piece: it ends where the strip ends, and a span
        # that ends inside it is widened to its end, so a character is never cut at the span.
        spans: list[tuple[int, int, int]] = []
        chop_ends = list(update.chop_ends)
        for y, x1, x2 in update.spans:
            ends: list[int] = []
            for x, strip in update.chops[y].items():
                end = x if strip is None else x + strip.cell_length
                if x < x2 < end:
                    x2 = end
                ends.append(end)
            chop_ends[y] = ends
            spans.append((y, x1, x2))
        update.spans = spans
        update.chop_ends = chop_ends
        return update
