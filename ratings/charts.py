"""The rating chart on a profile: an inline SVG drawn on the server, no JavaScript.

Pure Python: points in, coordinates out; the template draws them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    line: str  # SVG polyline points: the rating after each event
    band: str  # SVG polygon points: rating ± RD
    y_ticks: list[tuple[float, int]]  # (y, rating)
    x_labels: list[tuple[float, str, str]]  # (x, date, text-anchor)
    last: tuple[float, float]  # the last point, marked
    summary: str  # what the chart shows, in words (for screen readers and <desc>)


def _nice_step(span: float) -> int:
    for step in (25, 50, 100, 200, 250, 500, 1000):
        if span / step <= 5:
            return step
    return 1000 * math.ceil(span / 5000)


def rating_chart(
    points: list[tuple[datetime, float, float]], *, width: int = 640, height: int = 220
) -> Chart | None:
    """Chart (time, rating, RD) points, one per rated event in time order, evenly spaced.

    Evenly spaced by event rather than by date: a burst of ten games on one evening
    stays readable. Returns None with fewer than two points.
    """
    if len(points) < 2:
        return None
    pad_left, pad_right, pad_top, pad_bottom = 48, 12, 12, 28
    low = min(r - d for _, r, d in points)
    high = max(r + d for _, r, d in points)
    step = _nice_step(max(high - low, 1))
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    inner_w, inner_h = width - pad_left - pad_right, height - pad_top - pad_bottom

    def x(i: int) -> float:
        return round(pad_left + inner_w * i / (len(points) - 1), 1)

    def y(value: float) -> float:
        return round(pad_top + inner_h * (high - value) / (high - low), 1)

    line = " ".join(f"{x(i)},{y(r)}" for i, (_, r, _) in enumerate(points))
    upper = [f"{x(i)},{y(r + d)}" for i, (_, r, d) in enumerate(points)]
    lower = [f"{x(i)},{y(r - d)}" for i, (_, r, d) in reversed(list(enumerate(points)))]
    ticks = [(y(v), v) for v in range(int(low), int(high) + 1, step)]
    picks = sorted({0, len(points) // 2, len(points) - 1})
    anchors = {0: "start", len(points) - 1: "end"}  # the end labels stay inside the frame
    labels = [(x(i), f"{points[i][0]:%d %b}", anchors.get(i, "middle")) for i in picks]
    first, last = points[0], points[-1]
    peak = max(r for _, r, _ in points)
    summary = (
        f"Rating over {len(points) - 1} rated events "
        f"from {first[0]:%d %b %Y} to {last[0]:%d %b %Y}: "
        f"from {first[1]:.0f} to {last[1]:.0f}, peak {peak:.0f}."
    )
    return Chart(
        width,
        height,
        line,
        " ".join(upper + lower),
        ticks,
        labels,
        (x(len(points) - 1), y(last[1])),
        summary,
    )
