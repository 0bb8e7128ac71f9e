"""Tiny inline SVG charts drawn on the server: horizontal bars with interval whiskers, and a time series.

Hand-written rather than matplotlib: a few rectangles and lines are all a report needs, the markup is a few
hundred bytes, follows the page's fonts and colours, and needs no extra dependency. Every chart has a text
alternative (``<title>``, and the table next to it carries the same numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 560
LABEL_WIDTH = 170
BAR_HEIGHT = 22
GAP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    low: float | None
    high: float | None
    text: str  # the value as the page writes it ("52%", "2.41", or "suppressed")


def _scale(values: list[float], target: float | None, proportion: bool) -> float:
    if proportion:
        return 1.0
    top = max([v for v in values if v is not None] + ([target] if target is not None else []) + [1e-9])
    return top * 1.1


def bars(items: list[Bar], title: str, proportion: bool, target: float | None = None) -> Markup:
    """Horizontal bars (one per group) with the 95 % interval as a whisker and the target as a dashed line."""
    top = _scale([b.high for b in items] + [b.value for b in items], target, proportion)
    plot = WIDTH - LABEL_WIDTH - 70
    height = len(items) * (BAR_HEIGHT + GAP) + GAP

    def x(v: float) -> float:
        return LABEL_WIDTH + plot * max(0.0, min(v, top)) / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'class="chart" width="{WIDTH}" height="{height}"><title>{escape(title)}</title>']
    for i, bar in enumerate(items):
        y = GAP + i * (BAR_HEIGHT + GAP)
        mid = y + BAR_HEIGHT / 2
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{mid + 4:.1f}" text-anchor="end" font-size="12">'
                     f'{escape(bar.label)}</text>')
        if bar.value is not None:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{x(bar.value) - LABEL_WIDTH:.1f}" '
                         f'height="{BAR_HEIGHT}" fill="#005a9c" opacity=".75"/>')
            if bar.low is not None and bar.high is not None:
                lo, hi = x(bar.low), x(bar.high)
                parts.append(f'<path d="M{lo:.1f} {mid:.1f}H{hi:.1f}M{lo:.1f} {y + 5}V{y + BAR_HEIGHT - 5}'
                             f'M{hi:.1f} {y + 5}V{y + BAR_HEIGHT - 5}" stroke="#1b1b1f" stroke-width="1.5"/>')
        parts.append(f'<text x="{WIDTH - 64}" y="{mid + 4:.1f}" font-size="12">{escape(bar.text)}</text>')
    if target is not None:
        tx = x(target)
        parts.append(f'<path d="M{tx:.1f} 0V{height}" stroke="#b00020" stroke-dasharray="4 3" stroke-width="1.5"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    low: float | None
    high: float | None


def series(points: list[Point], title: str, proportion: bool, target: float | None = None,
           axis_label=None) -> Markup:
    """A line through the waves' estimates, their intervals as whiskers, the target as a dashed line."""
    height, left, right, top_pad, bottom = 180, 48, 20, 10, 30
    axis_label = axis_label or (lambda v: f"{v:.0%}" if proportion else f"{v:.1f}")
    values = [p.high for p in points] + [p.value for p in points]
    top = _scale(values, target, proportion)
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    n = max(len(points) - 1, 1)

    def x(i: int) -> float:
        return left + plot_w * (i / n if len(points) > 1 else 0.5)

    def y(v: float) -> float:
        return top_pad + plot_h * (1 - max(0.0, min(v, top)) / top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'class="chart" width="{WIDTH}" height="{height}"><title>{escape(title)}</title>',
             f'<path d="M{left} {top_pad}V{top_pad + plot_h}H{WIDTH - right}" stroke="#c9c9d3" fill="none"/>',
             # The two ends of the vertical axis, so the reader sees it starts at zero.
             f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end" font-size="11">0</text>',
             f'<text x="{left - 4}" y="{top_pad + 8}" text-anchor="end" font-size="11">'
             f'{escape(axis_label(top))}</text>']
    line = [f"{x(i):.1f} {y(p.value):.1f}" for i, p in enumerate(points) if p.value is not None]
    if len(line) > 1:
        parts.append(f'<path d="M{"L".join(line)}" stroke="#005a9c" stroke-width="2" fill="none"/>')
    for i, p in enumerate(points):
        parts.append(f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="middle" font-size="12">'
                     f'{escape(p.label)}</text>')
        if p.value is None:
            continue
        if p.low is not None and p.high is not None:
            parts.append(f'<path d="M{x(i):.1f} {y(p.low):.1f}V{y(p.high):.1f}" stroke="#1b1b1f" stroke-width="1.5"/>')
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="4" fill="#005a9c"/>')
    if target is not None:
        parts.append(f'<path d="M{left} {y(target):.1f}H{WIDTH - right}" stroke="#b00020" stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
