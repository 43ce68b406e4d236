"""Charts and the self-contained HTML report of the analytics.

Charts are drawn by matplotlib (the ``charts`` extra) through its
object-oriented API only: a :class:`~matplotlib.figure.Figure` with its own
Agg canvas, never ``pyplot`` and never a change to ``rcParams`` or the
process's backend (a library leaves process-wide state alone). Each chart is
SVG inside the HTML report, which therefore opens offline with no script at
all, and PNG on request (``--png``).

The four charts: net sales over time, net sales by category (or by product
when no category is known), the funnel as bars with each step's conversion,
and web against books per day.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from ecomrules.analytics._sql import scalar
from ecomrules.analytics.queries import FunnelResult, GapsResult, SalesResult
from ecomrules.errors import EcomrulesError

if TYPE_CHECKING:
    import duckdb
    from matplotlib.figure import Figure

__all__ = ["CHARTS", "chart", "html_report", "report_period", "save_png", "store_report"]

CHARTS: Final = ("sales", "categories", "funnel", "gaps")
"""The charts ``chart`` draws (``ecomrules analytics ... --png``)."""

_INK: Final = "#1f2933"
_ACCENT: Final = "#2f6fb3"
_SECOND: Final = "#e07b39"
_MUTED: Final = "#9aa5b1"


def _figure(width: float = 8.0, height: float = 3.6) -> Figure:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise EcomrulesError("charts need matplotlib: pip install 'ecomrules[charts]'") from None
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _style(ax: Any, title: str) -> None:
    ax.set_title(title, loc="left", fontsize=12, color=_INK, fontweight="bold")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=_INK, labelsize=9)
    ax.grid(axis="y", color="#e4e7eb", linewidth=0.8)
    ax.set_axisbelow(True)


def _empty(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", color=_MUTED, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _sales_over_time(result: SalesResult) -> Figure:
    figure = _figure()
    ax = figure.add_subplot()
    _style(ax, "Net sales over time")
    period = next((b for b in result.by if b in ("day", "week", "month", "quarter", "year")), None)
    if period is None or not result.rows:
        _empty(ax, "no sales in the store")
        return figure
    by_currency: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for row in result.rows:
        key = dict(row.group)[period]
        if key is None:
            continue
        by_currency.setdefault(row.currency, []).append((dt.date.fromisoformat(key), row.net))
    colors = (_ACCENT, _SECOND, "#3f9142", "#8e5ea2")
    for (currency, points), color in zip(sorted(by_currency.items()), colors * 4, strict=False):
        points.sort()
        x: Any = [p[0] for p in points]  # matplotlib's stubs know no dates; it draws them
        ax.plot(
            x,
            [float(p[1]) for p in points],  # drawing only: the figures stay Decimal
            marker="o",
            color=color,
            label=currency,
        )
    ax.set_ylabel("net sales", color=_INK)
    ax.legend(frameon=False, fontsize=9)
    figure.autofmt_xdate()
    return figure


def _by_category(result: SalesResult) -> Figure:
    figure = _figure()
    ax = figure.add_subplot()
    dimension = next((b for b in result.by if b in ("category", "product", "sku")), None)
    _style(ax, f"Net sales by {dimension or 'category'}")
    if dimension is None or not result.rows:
        _empty(ax, "no product data in the store")
        return figure
    totals: dict[str, Decimal] = {}
    by_currency: dict[str, Decimal] = {}
    for row in result.rows:
        by_currency[row.currency] = by_currency.get(row.currency, Decimal(0)) + row.net
    currency = max(by_currency, key=lambda c: by_currency[c])  # the main currency
    for row in result.rows:
        if row.currency != currency:
            continue
        name = dict(row.group)[dimension] or "(none)"
        totals[name] = totals.get(name, Decimal(0)) + row.net
    top = sorted(totals.items(), key=lambda kv: kv[1])[-12:]
    ax.barh([name[:32] for name, _ in top], [float(v) for _, v in top], color=_ACCENT)
    ax.set_xlabel(f"net sales ({currency})", color=_INK)
    ax.grid(axis="x", color="#e4e7eb", linewidth=0.8)
    return figure


def _funnel(result: FunnelResult) -> Figure:
    figure = _figure()
    ax = figure.add_subplot()
    _style(ax, "Conversion funnel")
    if not result.rows:
        _empty(ax, "no web events in the store")
        return figure
    reached = [sum(row.reached[i] for row in result.rows) for i in range(len(result.steps))]
    labels = [s.replace("_", " ") for s in result.steps]
    bars = ax.bar(labels, reached, color=_ACCENT)
    for i, bar in enumerate(bars):
        text = f"{reached[i]:,}"
        if i and reached[i - 1]:
            text += f"\n{100 * reached[i] / reached[i - 1]:.1f}%"
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
            color=_INK,
        )
    ax.set_ylabel("sessions", color=_INK)
    ax.margins(y=0.2)
    ax.tick_params(axis="x", labelrotation=15)
    return figure


def _gaps(result: GapsResult) -> Figure:
    figure = _figure()
    ax = figure.add_subplot()
    _style(ax, "Web analytics against the books, per day")
    if not result.days:
        _empty(ax, "no orders or web purchases in the store")
        return figure
    books: dict[str, Decimal] = {}
    for day in result.days:
        books[day.currency] = books.get(day.currency, Decimal(0)) + day.books
    currency = max(books, key=lambda c: books[c])  # the main currency
    days = [d for d in result.days if d.currency == currency]
    x: Any = [d.day for d in days]  # matplotlib's stubs know no dates; it draws them
    ax.plot(x, [float(d.books) for d in days], color=_INK, label="books")
    ax.plot(x, [float(d.web) for d in days], color=_SECOND, label="web analytics")
    ax.set_ylabel(f"revenue ({currency})", color=_INK)
    ax.legend(frameon=False, fontsize=9)
    figure.autofmt_xdate()
    return figure


def report_period(con: duckdb.DuckDBPyConnection) -> str:
    """The period that draws the store's sales well: days up to two months, weeks up to a year."""
    span = scalar(con, "SELECT date_diff('day', min(placed_at), max(placed_at)) FROM orders")
    if span is None or span <= 62:
        return "day"
    return "week" if span <= 366 else "month"


def chart(name: str, result: SalesResult | FunnelResult | GapsResult) -> Figure:
    """Draw chart ``name`` (one of :data:`CHARTS`) of ``result``."""
    if name == "sales" and isinstance(result, SalesResult):
        return _sales_over_time(result)
    if name == "categories" and isinstance(result, SalesResult):
        return _by_category(result)
    if name == "funnel" and isinstance(result, FunnelResult):
        return _funnel(result)
    if name == "gaps" and isinstance(result, GapsResult):
        return _gaps(result)
    raise EcomrulesError(f"no chart {name!r} for {type(result).__name__}")


def save_png(figure: Figure, path: str) -> None:
    """Write ``figure`` as a PNG file."""
    figure.savefig(path, format="png", dpi=110, metadata={"Software": None})


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.find("<svg") :]


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], limit: int = 50) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in row)
        + "</tr>"
        for row in rows[:limit]
    )
    more = (
        f"<p class='more'>{len(rows) - limit} more rows in --json/--csv</p>"
        if len(rows) > limit
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


_CSS: Final = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2933;margin:2rem auto;
max-width:60rem;padding:0 1rem}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
.kpis{display:flex;gap:1rem;flex-wrap:wrap}.kpi{border:1px solid #e4e7eb;border-radius:6px;
padding:.6rem 1rem;min-width:9rem}.kpi b{display:block;font-size:1.3rem}
.kpi span{color:#616e7c;font-size:.85rem}figure{margin:1rem 0}figure svg{width:100%;height:auto}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{padding:.25rem .6rem;
border-bottom:1px solid #e4e7eb;text-align:right}th:first-child,td:first-child{text-align:left}
.more,.note{color:#616e7c;font-size:.85rem}
"""


def html_report(
    *,
    title: str,
    sales_by_period: SalesResult,
    sales_by_category: SalesResult,
    funnel_result: FunnelResult,
    gaps_result: GapsResult,
    generated: dt.datetime | None = None,
) -> str:
    """A self-contained HTML report (inline SVG charts, no script, opens offline)."""
    totals: dict[str, list[Decimal | int]] = {}
    for row in sales_by_period.rows:
        entry = totals.setdefault(row.currency, [Decimal(0), 0])
        entry[0] = Decimal(entry[0]) + row.net
        entry[1] = int(entry[1]) + row.orders
    kpis = [
        f"<div class='kpi'><span>net sales {html.escape(c)}</span><b>{v[0]:,}</b>"
        f"<span>{v[1]:,} orders</span></div>"
        for c, v in sorted(totals.items())
    ]
    sessions = sum(r.sessions for r in funnel_result.rows)
    purchases = sum(r.reached[-1] for r in funnel_result.rows)
    if sessions:
        kpis.append(
            f"<div class='kpi'><span>sessions</span><b>{sessions:,}</b>"
            f"<span>{100 * purchases / sessions:.2f}% convert</span></div>"
        )
    for currency, share in gaps_result.share_seen:
        if share is not None:
            kpis.append(
                f"<div class='kpi'><span>revenue seen by the web ({html.escape(currency)})</span>"
                f"<b>{100 * share:.1f}%</b><span>{gaps_result.matched} orders matched</span></div>"
            )
    figures = [
        chart("sales", sales_by_period),
        chart("categories", sales_by_category),
        chart("funnel", funnel_result),
        chart("gaps", gaps_result),
    ]
    svgs = [f"<figure class='chart'>{_svg(f)}</figure>" for f in figures]
    sales_rows = [
        [
            *(v for _, v in r.group),
            r.currency,
            r.orders,
            r.units,
            r.gross,
            r.discount,
            r.refunded,
            r.net,
        ]
        for r in sales_by_period.rows
    ]
    funnel_rows = [
        [*(v for _, v in r.group), *r.reached, f"{r.overall_conversion or 0:.2%}"]
        for r in funnel_result.rows
    ]
    sales_headers = [
        *sales_by_period.by,
        "currency",
        "orders",
        "units",
        "gross",
        "discount",
        "refunded",
        "net",
    ]
    stamp = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>
<body><h1>{html.escape(title)}</h1><p class="note">Generated {stamp} by ecomrules.</p>
<div class="kpis">{"".join(kpis)}</div>
<h2>Sales</h2>{svgs[0]}{svgs[1]}
{_table(sales_headers, sales_rows)}
<h2>Funnel</h2>{svgs[2]}
{_table([*funnel_result.by, *funnel_result.steps, "overall"], funnel_rows)}
<h2>Web against books</h2>{svgs[3]}
<p>{gaps_result.matched} orders matched; {len(gaps_result.web_only)} web purchases without an order;
{len(gaps_result.books_only)} orders the web did not record; {len(gaps_result.duplicates)} purchases
recorded more than once.</p>
{_table(["order", "source", "total", "currency"], [list(r) for r in gaps_result.books_only], 20)}
</body></html>
"""


def store_report(
    con: duckdb.DuckDBPyConnection,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    title: str = "Sales and conversion",
) -> str:
    """The HTML report of everything in the store (``ecomrules analytics ... --html``)."""
    from ecomrules.analytics.queries import funnel, gaps, sales

    start, end = date_from, date_to
    return html_report(
        title=title,
        sales_by_period=sales(con, by=(report_period(con),), date_from=start, date_to=end),
        sales_by_category=sales(con, by=("category",), date_from=start, date_to=end),
        funnel_result=funnel(con, date_from=start, date_to=end),
        gaps_result=gaps(con, date_from=start, date_to=end),
    )
