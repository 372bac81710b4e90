"""Charts as SVG markup, drawn on the server from plain numbers: horizontal bars (grouped or
stacked), lines over years, and a tile map of provinces.

SVG rather than a script library: nothing is downloaded, nothing runs in the browser, the
page's Content-Security-Policy stays strict (colours are presentation attributes, never
``style``), and a chart is in the HTML the shared URL returns. Every text is escaped here;
the caller may insert the markup as it is. A missing figure (None) draws nothing and is
never read as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

# Colour-blind-safe palette (Okabe-Ito), then greys.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
    "#000000",
    "#999999",
    "#666666",
)
# Sequential blues for the tile map, lightest to darkest; NO_FIGURE for a tile without one.
SHADES = ("#deebf7", "#9ecae1", "#4292c6", "#08519c", "#08306b")
NO_FIGURE = "#f2f2f2"
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of figures, one per category (or per year for a line)."""

    label: str
    values: Sequence[Decimal | None]


@dataclass(frozen=True, slots=True)
class Tile:
    """A province's square on the tile map: grid row and column, the short label printed
    in it and the full name in its tooltip."""

    key: str
    row: int
    col: int
    label: str
    name: str


def _number(value: Decimal | float) -> str:
    """A coordinate, short."""
    return f"{float(value):.1f}".rstrip("0").rstrip(".")


def _text(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "—"
    rounded = round(value, places)
    text = f"{rounded:,.{places}f}".rstrip("0").rstrip(".") if places else f"{rounded:,}"
    # Vietnamese grouping: 1.234,5
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {_number(width)} {_number(height)}" width="{_number(width)}" '
        f'height="{_number(height)}" {FONT} font-size="12">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _legend(labels: Sequence[str], x: float, y: float) -> list[str]:
    parts = []
    for i, label in enumerate(labels):
        top = y + i * 18
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{_number(x)}" y="{_number(top)}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{_number(x + 18)}" y="{_number(top + 10)}">{escape(label)}</text>'
        )
    return parts


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    stacked: bool = False,
    width: int = 760,
) -> str:
    """Horizontal bars, one band per category (a unit); each series a bar in the band, or a
    segment of one bar when ``stacked``. Negative figures are not drawn in a stack."""
    label_width, legend_width = 190.0, 170.0
    row_height = 22.0 if stacked else 8.0 + 12.0 * max(len(series), 1)
    plot = width - label_width - legend_width - 20
    top = 10.0
    totals: list[Decimal] = []
    for c in range(len(categories)):
        figures = [s.values[c] for s in series if s.values[c] is not None]
        if stacked:
            totals.append(sum((f for f in figures if f is not None and f > 0), Decimal(0)))
        else:
            totals.append(max((f for f in figures if f is not None), default=Decimal(0)))
    peak = max(totals, default=Decimal(0)) or Decimal(1)
    scale = Decimal(str(plot)) / peak
    body: list[str] = []
    for c, category in enumerate(categories):
        y = top + c * row_height
        body.append(
            f'<text x="{_number(label_width - 6)}" y="{_number(y + row_height / 2 + 4)}" '
            f'text-anchor="end">{escape(category)}</text>'
        )
        offset = Decimal(0)
        for s_index, s in enumerate(series):
            value = s.values[c]
            if value is None or (stacked and value <= 0):
                continue
            colour = PALETTE[s_index % len(PALETTE)]
            length = max(value, Decimal(0)) * scale
            if stacked:
                x, bar_y, height = label_width + float(offset), y + 3, row_height - 6
                offset += length
            else:
                x, bar_y, height = label_width, y + 4 + s_index * 12, 10.0
            body.append(
                f'<rect x="{_number(x)}" y="{_number(bar_y)}" width="{_number(length)}" '
                f'height="{_number(height)}" fill="{colour}">'
                f"<title>{escape(category)} · {escape(s.label)}: {_text(value)}</title></rect>"
            )
        if not stacked:
            for s_index, s in enumerate(series):
                value = s.values[c]
                if value is None:
                    continue
                end = label_width + float(max(value, Decimal(0)) * scale)
                body.append(
                    f'<text x="{_number(end + 4)}" y="{_number(y + 13 + s_index * 12)}" '
                    f'font-size="10">{_text(value)}</text>'
                )
        else:
            end = label_width + float(offset)
            body.append(
                f'<text x="{_number(end + 4)}" y="{_number(y + row_height / 2 + 4)}" '
                f'font-size="10">{_text(totals[c])}</text>'
            )
    height = top * 2 + max(len(categories), 1) * row_height
    body += _legend([s.label for s in series], width - legend_width, top)
    height = max(height, top * 2 + 18 * len(series))
    return _svg(width, height, title, body)


def line_chart(
    xs: Sequence[str], series: Sequence[Series], *, title: str, width: int = 760, height: int = 320
) -> str:
    """One line per series over ``xs`` (years); a missing figure breaks the line."""
    left, right, top, bottom, legend_width = 60.0, 20.0, 14.0, 30.0, 190.0
    plot_w = width - left - right - legend_width
    plot_h = height - top - bottom
    figures = [v for s in series for v in s.values if v is not None]
    low = min(min(figures, default=Decimal(0)), Decimal(0))
    high = max(figures, default=Decimal(1))
    if high == low:
        high = low + 1
    step = plot_w / max(len(xs) - 1, 1)

    def y_of(value: Decimal) -> float:
        return top + plot_h - float((value - low) / (high - low)) * plot_h

    body = [
        f'<line x1="{_number(left)}" y1="{_number(top + plot_h)}" '
        f'x2="{_number(left + plot_w)}" y2="{_number(top + plot_h)}" stroke="#888"/>',
        f'<line x1="{_number(left)}" y1="{_number(top)}" x2="{_number(left)}" '
        f'y2="{_number(top + plot_h)}" stroke="#888"/>',
    ]
    for tick in (low, (low + high) / 2, high):
        body.append(
            f'<text x="{_number(left - 4)}" y="{_number(y_of(tick) + 4)}" text-anchor="end" '
            f'font-size="10">{_text(tick)}</text>'
        )
    for i, x in enumerate(xs):
        body.append(
            f'<text x="{_number(left + i * step)}" y="{_number(height - 10)}" '
            f'text-anchor="middle" font-size="10">{escape(x)}</text>'
        )
    for s_index, s in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            point = f"{_number(left + i * step)},{_number(y_of(value))}"
            runs[-1].append(point)
            body.append(
                f'<circle cx="{_number(left + i * step)}" cy="{_number(y_of(value))}" r="3" '
                f'fill="{colour}"><title>{escape(s.label)} · {escape(xs[i])}: '
                f"{_text(value)}</title></circle>"
            )
        for run in runs:
            if len(run) > 1:
                body.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"/>'
                )
    body += _legend([s.label for s in series], width - legend_width + 10, top)
    return _svg(width, max(height, top * 2 + 18 * len(series)), title, body)


def _fit(label: str, size: int) -> str:
    """Squeeze a long label into its tile (about 5 px a character at this size)."""
    room = size - 6
    return f' textLength="{room}" lengthAdjust="spacingAndGlyphs"' if len(label) * 5 > room else ""


def shade_of(value: Decimal | None, low: Decimal, high: Decimal) -> str:
    """The tile colour of ``value`` on the scale from ``low`` to ``high`` (five classes)."""
    if value is None:
        return NO_FIGURE
    if high == low:
        return SHADES[-1]
    index = int((value - low) / (high - low) * len(SHADES))
    return SHADES[min(max(index, 0), len(SHADES) - 1)]


def tile_map(
    tiles: Sequence[Tile],
    values: dict[str, Decimal | None],
    *,
    title: str,
    size: int = 54,
) -> str:
    """A square per province at its grid place, shaded by its figure (equal-width classes
    from the smallest to the largest figure shown); a tile without a figure stays grey."""
    figures = [v for v in values.values() if v is not None]
    low, high = min(figures, default=Decimal(0)), max(figures, default=Decimal(0))
    rows = max((t.row for t in tiles), default=0) + 1
    cols = max((t.col for t in tiles), default=0) + 1
    gap = 3
    body: list[str] = []
    for tile in tiles:
        value = values.get(tile.key)
        fill = shade_of(value, low, high)
        x, y = tile.col * (size + gap), tile.row * (size + gap)
        ink = "#ffffff" if fill in SHADES[2:] else "#000000"
        body.append(
            f'<g class="tile" data-key="{escape(tile.key)}">'
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="4" fill="{fill}" '
            f'stroke="#ffffff"/>'
            f'<text x="{x + size / 2:.1f}" y="{y + size / 2 - 3:.1f}" text-anchor="middle" '
            f'font-size="9" fill="{ink}"{_fit(tile.label, size)}>{escape(tile.label)}</text>'
            f'<text x="{x + size / 2:.1f}" y="{y + size / 2 + 11:.1f}" text-anchor="middle" '
            f'font-size="9" fill="{ink}">{_text(value, 1)}</text>'
            f"<title>{escape(tile.name)}: {_text(value)}</title></g>"
        )
    legend_x = cols * (size + gap) + 20
    for i, shade in enumerate(SHADES if high > low else SHADES[-1:]):
        lower = low + (high - low) * i / len(SHADES)
        body.append(
            f'<rect x="{legend_x}" y="{i * 18}" width="14" height="14" fill="{shade}"/>'
            f'<text x="{legend_x + 20}" y="{i * 18 + 11}" font-size="10">≥ {_text(lower)}</text>'
        )
    body.append(
        f'<rect x="{legend_x}" y="{len(SHADES) * 18}" width="14" height="14" '
        f'fill="{NO_FIGURE}" stroke="#ccc"/>'
        f'<text x="{legend_x + 20}" y="{len(SHADES) * 18 + 11}" font-size="10">—</text>'
    )
    # (with one figure, or all equal, a single class is shown above the grey one)
    width = legend_x + 110
    return _svg(width, rows * (size + gap), title, body)
