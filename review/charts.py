"""Server-rendered SVG charts for the trends page, laid out right to left.

No JavaScript charting library: the page's CSP allows scripts only from /static, the
charts must print and work in a feed reader's preview, and three chart kinds are a
few dozen lines each.  Time runs right to left (the oldest period at the right, as
an Arabic reader reads), labels are right-aligned (``direction="rtl"``) while dates
keep their year-month-day order (``direction="ltr"``: in a right-to-left run the
bidi algorithm would show ٢٠٢٤-٠٩-٣٠ as ٣٠-٠٩-٢٠٢٤), and digits
are Arabic-Indic (٠١٢…) or Latin per the ``chart_digits`` setting.  Styling uses SVG
presentation attributes only (the CSP forbids inline ``style``); every bar and cell
has a ``<title>`` with its exact figure.  All text is escaped (Markup.format).
"""

from __future__ import annotations

from markupsafe import Markup

DIGITS = ("arabic", "latin")
_INDIC = str.maketrans("0123456789.%", "٠١٢٣٤٥٦٧٨٩٫٪")
PALETTE = ("#1f6f8b", "#e07b39", "#3a9d5d", "#b5485d", "#7a5cb8", "#c9a227", "#4d4d4d", "#2b8cbe")
FONT = "Noto Naskh Arabic, Amiri, Arial, sans-serif"


def num(value, digits: str = "arabic") -> str:
    """A figure (or a date like 2024-10-07) in the chosen digits."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text.translate(_INDIC) if digits == "arabic" else text


def _ticks(n: int, most: int = 8) -> list[int]:
    if n <= 0:
        return []
    step = max(1, -(-n // most))
    return list(range(0, n, step))


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for m in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= m:
            return m
    return value


def _frame(width: int, height: int, label: str, body: Markup) -> Markup:
    return Markup('<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}"'
                  ' height="{h}" role="img" aria-label="{label}" font-family="{font}" font-size="12">'
                  '<title>{label}</title>{body}</svg>').format(w=width, h=height, label=label, font=FONT,
                                                               body=body)


def _legend(names: list[str], right: int, y: int) -> Markup:
    out, x = [], right
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        out.append(Markup('<rect x="{x}" y="{y}" width="10" height="10" fill="{c}"/>'
                          '<text x="{tx}" y="{ty}" direction="rtl" text-anchor="start" class="legend">{n}</text>'
                          ).format(x=x - 10, y=y, c=color, tx=x - 14, ty=y + 9, n=name))
        x -= 24 + 7 * len(name)
    return Markup("").join(out)


def bar_chart(periods: list[str], series: dict[str, list[int]], *, label: str, digits: str = "arabic",
              width: int = 900, height: int = 240) -> Markup:
    """Stacked bars per period (oldest at the right), one colour per series."""
    names = list(series)
    pad_r, pad_l, pad_t, pad_b = 56, 12, 30, 44
    plot_w, plot_h = width - pad_r - pad_l, height - pad_t - pad_b
    n = len(periods)
    totals = [sum(series[k][i] for k in names) for i in range(n)]
    top = _nice_max(max(totals, default=0))
    right = width - pad_r
    bw = plot_w / n if n else plot_w
    parts = [_legend(names, width - 4, 6)]
    for frac in (0, 0.5, 1):                         # y grid with its labels on the right
        y = pad_t + plot_h * (1 - frac)
        parts.append(Markup('<line x1="{a}" x2="{b}" y1="{y}" y2="{y}" stroke="#ddd"/>'
                            '<text x="{tx}" y="{ty}" direction="rtl" text-anchor="start" class="ylabel">{v}</text>'
                            ).format(a=pad_l, b=right, y=f"{y:.1f}", tx=width - 6, ty=f"{y + 4:.1f}",
                                     v=num(round(top * frac, 1), digits)))
    for i, period in enumerate(periods):
        x = right - (i + 1) * bw
        base = pad_t + plot_h
        for k, name in enumerate(names):
            v = series[name][i]
            if not v:
                continue
            h = plot_h * v / top
            base -= h
            parts.append(Markup('<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"'
                                ' data-period="{p}" data-series="{s}" data-value="{v}"><title>{tp} — {s}: {tv}'
                                '</title></rect>').format(x=f"{x + bw * 0.1:.1f}", y=f"{base:.1f}",
                                                          w=f"{max(bw * 0.8, 1):.1f}", h=f"{h:.1f}",
                                                          c=PALETTE[k % len(PALETTE)], p=period, s=name, v=v,
                                                          tp=num(period, digits), tv=num(v, digits)))
    parts.append(_xlabels(periods, right, bw, pad_t + plot_h, digits))
    return _frame(width, height, label, Markup("").join(parts))


def _xlabels(periods: list[str], right: float, bw: float, y: float, digits: str) -> Markup:
    out = [Markup('<line x1="{a}" x2="{b}" y1="{y}" y2="{y}" stroke="#888"/>').format(
        a=f"{right - bw * len(periods):.1f}", b=right, y=y)]
    for i in _ticks(len(periods)):
        x = right - (i + 0.5) * bw
        out.append(Markup('<text x="{x}" y="{y}" direction="ltr" unicode-bidi="bidi-override" text-anchor="middle" class="xlabel">{t}</text>').format(
            x=f"{x:.1f}", y=f"{y + 16:.1f}", t=num(periods[i], digits)))
    return Markup("").join(out)


def share_chart(periods: list[str], shares: list[float | None], counts: list[int], *, label: str,
                digits: str = "arabic", width: int = 900, height: int = 200) -> Markup:
    """Share (0–100 %) per period as dots joined by a line; periods without any
    review are left empty rather than drawn as 0 %."""
    pad_r, pad_l, pad_t, pad_b = 56, 12, 14, 44
    plot_w, plot_h = width - pad_r - pad_l, height - pad_t - pad_b
    n = len(periods)
    right = width - pad_r
    bw = plot_w / n if n else plot_w
    parts = []
    for frac in (0, 0.5, 1):
        y = pad_t + plot_h * (1 - frac)
        parts.append(Markup('<line x1="{a}" x2="{b}" y1="{y}" y2="{y}" stroke="#ddd"/>'
                            '<text x="{tx}" y="{ty}" direction="rtl" text-anchor="start" class="ylabel">{v}</text>'
                            ).format(a=pad_l, b=right, y=f"{y:.1f}", tx=width - 6, ty=f"{y + 4:.1f}",
                                     v=num(f"{int(frac * 100)}%", digits)))
    points = []
    for i, (period, share) in enumerate(zip(periods, shares)):
        if share is None:
            continue
        x, y = right - (i + 0.5) * bw, pad_t + plot_h * (1 - share)
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(Markup('<circle class="dot" cx="{x}" cy="{y}" r="3.5" fill="{c}" data-period="{p}"'
                            ' data-value="{v}"><title>{tp}: {tv} ({tn})</title></circle>').format(
            x=f"{x:.1f}", y=f"{y:.1f}", c=PALETTE[2], p=period, v=f"{share:.3f}", tp=num(period, digits),
            tv=num(f"{round(share * 100)}%", digits), tn=num(counts[i], digits)))
    if len(points) > 1:
        parts.insert(0, Markup('<polyline points="{p}" fill="none" stroke="{c}" stroke-width="1.5"/>').format(
            p=" ".join(points), c=PALETTE[2]))
    parts.append(_xlabels(periods, right, bw, pad_t + plot_h, digits))
    return _frame(width, height, label, Markup("").join(parts))


def heatmap(periods: list[str], rows: dict[str, list[int]], *, label: str, digits: str = "arabic",
            width: int = 900, row_h: int = 22) -> Markup:
    """One row per name (labels at the right), one cell per period (oldest at the
    right), darker for more flagged articles mentioning it."""
    names = list(rows)
    label_w, pad_l, pad_t, pad_b = 190, 12, 6, 30
    plot_w = width - label_w - pad_l
    n = len(periods)
    right = width - label_w
    bw = plot_w / n if n else plot_w
    height = pad_t + row_h * max(1, len(names)) + pad_b
    top = max((v for vals in rows.values() for v in vals), default=0) or 1
    parts = []
    for r, name in enumerate(names):
        y = pad_t + r * row_h
        total = sum(rows[name])
        parts.append(Markup('<text x="{x}" y="{y}" direction="rtl" text-anchor="start" class="rowlabel">'
                            '{n} ({t})</text>').format(x=width - 4, y=y + row_h * 0.7, n=name, t=num(total, digits)))
        parts.append(Markup('<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#f4f4f4"/>').format(
            x=f"{right - plot_w:.1f}", y=y + 1, w=f"{plot_w:.1f}", h=row_h - 2))
        for i, v in enumerate(rows[name]):
            if not v:
                continue
            opacity = 0.25 + 0.75 * v / top
            parts.append(Markup('<rect class="cell" x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"'
                                ' fill-opacity="{o}" data-period="{p}" data-name="{n}" data-value="{v}">'
                                '<title>{n} — {tp}: {tv}</title></rect>').format(
                x=f"{right - (i + 1) * bw:.1f}", y=y + 1, w=f"{max(bw, 1.5):.1f}", h=row_h - 2,
                c=PALETTE[0], o=f"{opacity:.2f}", p=periods[i], n=name, v=v, tp=num(periods[i], digits),
                tv=num(v, digits)))
    parts.append(_xlabels(periods, right, bw, pad_t + row_h * max(1, len(names)), digits))
    return _frame(width, height, label, Markup("").join(parts))
