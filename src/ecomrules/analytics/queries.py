"""The three analyses over the store: the sales cube, the funnel, web against books.

Every analysis is one SQL query over the canonical tables (standard SQL with
DuckDB's ``date_trunc`` and ``QUALIFY``: another engine runs it with little
change) and returns a typed, frozen result. Money comes back as ``Decimal``
rounded to the currency's minor units; several currencies stay apart (every
result is keyed by currency). Rates (conversion, share) are ``Decimal`` with
four places, rounded half-even.

Definitions (also in ``docs/guides/analytics.md``):

- revenue: ``net = gross - discount - refunded`` (tax and shipping apart); a
  cancelled order counts in ``cancelled`` and in no amount.
- new vs returning: an order is ``new`` when it is its customer's first order
  among all loaded orders of its source, ``returning`` otherwise, ``unknown``
  without a customer (the store keeps it in ``orders.customer_type`` as it loads).
- funnel: a session *reaches* a step when it has an event at that step or at a
  later one (trackers do not always send every step: a purchase passed the
  checkout). Step conversion is ``reached(k) / reached(k-1)``, overall is
  ``reached(last) / sessions``. Abandoned carts are sessions that reached the
  cart and not the purchase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final

import duckdb
from attrs import frozen

from ecomrules.analytics import daily
from ecomrules.analytics._sql import scalar
from ecomrules.analytics.names import FUNNEL_DIMENSIONS, SALES_DIMENSIONS, STEPS
from ecomrules.errors import ConfigError, ConfigProblem
from ecomrules.money import Currency

__all__ = [
    "FUNNEL_DIMENSIONS",
    "SALES_DIMENSIONS",
    "FunnelResult",
    "FunnelRow",
    "GapsResult",
    "SalesResult",
    "SalesRow",
    "funnel",
    "gaps",
    "sales",
]

_PERIODS: Final = {
    "day": "CAST({t} AS DATE)",
    "week": "CAST(date_trunc('week', {t}) AS DATE)",
    "month": "CAST(date_trunc('month', {t}) AS DATE)",
    "quarter": "CAST(date_trunc('quarter', {t}) AS DATE)",
    "year": "CAST(date_trunc('year', {t}) AS DATE)",
}


_LINE_DIMENSIONS: Final = frozenset({"product", "sku", "category"})

_SOCIAL: Final = (
    "facebook", "instagram", "linkedin", "twitter", "t.co", "x.com", "pinterest", "tiktok",
    "reddit", "youtube", "snapchat", "m.facebook.com", "l.facebook.com", "lnkd.in",
)  # fmt: skip

_PAID: Final = "('cpc', 'ppc', 'paidsearch', 'paid search', 'paid', 'paid_search', 'retargeting')"
_SOCIAL_SQL: Final = f"({', '.join(repr(s) for s in _SOCIAL)})"

CHANNEL_SQL: Final = f"""CASE
  WHEN gclid OR lower(medium) IN {_PAID} THEN CASE
    WHEN source_category = 'SOURCE_CATEGORY_SHOPPING' THEN 'Paid Shopping'
    WHEN source_category = 'SOURCE_CATEGORY_VIDEO' THEN 'Paid Video'
    WHEN source_category = 'SOURCE_CATEGORY_SOCIAL' OR lower(traffic_source) IN {_SOCIAL_SQL}
      THEN 'Paid Social'
    ELSE 'Paid Search' END
  WHEN lower(medium) IN ('display', 'cpm', 'banner', 'interstitial') THEN 'Display'
  WHEN source_category = 'SOURCE_CATEGORY_SHOPPING' THEN 'Organic Shopping'
  WHEN source_category = 'SOURCE_CATEGORY_SOCIAL'
    OR lower(medium) IN ('social', 'social-network', 'social-media', 'sm', 'social network',
                         'social media')
    OR lower(traffic_source) IN {_SOCIAL_SQL} THEN 'Organic Social'
  WHEN source_category = 'SOURCE_CATEGORY_VIDEO' OR lower(medium) LIKE '%video%'
    THEN 'Organic Video'
  WHEN source_category = 'SOURCE_CATEGORY_SEARCH' OR lower(medium) = 'organic'
    THEN 'Organic Search'
  WHEN lower(medium) IN ('email', 'e-mail', 'e_mail', 'newsletter') THEN 'Email'
  WHEN lower(medium) IN ('affiliate', 'affiliates') THEN 'Affiliates'
  WHEN lower(medium) = 'referral' THEN 'Referral'
  WHEN lower(traffic_source) = '(direct)' OR (traffic_source IS NULL AND medium IS NULL)
    THEN 'Direct'
  ELSE 'Unassigned'
END"""
"""The default channel grouping, after GA4's default channel group: a paid-click id
makes a visit paid whatever its tagging says (a ``gclid`` landing tagged
``google / organic`` is a paid click); the source categories loaded with
``ecomrules analytics load sources`` (GA4's list of search, social, shopping and
video sites) sort sources the medium does not."""


_RATE: Final = Decimal("0.0001")


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Any:
    """Execute one statement; the engine's errors become the library's ``StoreError``."""
    from ecomrules.analytics.store import StoreError

    try:
        return con.execute(sql, list(params))
    except duckdb.Error as exc:
        raise StoreError(f"the analytics store cannot answer: {exc}") from None


def _rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(_RATE, rounding=ROUND_HALF_EVEN)


def _money(value: Any, currency: str) -> Decimal:
    amount = Decimal(0) if value is None else Decimal(value)
    return amount.quantize(Currency.of(currency).quantum, rounding=ROUND_HALF_EVEN)


def _check(names: Sequence[str], allowed: Sequence[str], path: str) -> None:
    problems = [
        ConfigProblem(path, f"{name!r} is not one of {', '.join(allowed)}")
        for name in names
        if name not in allowed
    ]
    if problems:
        raise ConfigError("analytics", problems)


def _where(
    filters: Mapping[str, Sequence[str]],
    expressions: Mapping[str, str],
    date_expr: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> tuple[str, list[Any]]:
    clauses = ["TRUE"]
    params: list[Any] = []
    for name, values in filters.items():
        clauses.append(
            f"CAST({expressions[name]} AS VARCHAR) IN ({', '.join('?' for _ in values)})"
        )
        params.extend(values)
    if date_from is not None:
        clauses.append(f"CAST({date_expr} AS DATE) >= ?")
        params.append(date_from)
    if date_to is not None:
        clauses.append(f"CAST({date_expr} AS DATE) <= ?")
        params.append(date_to)
    return " AND ".join(clauses), params


# --- sales --------------------------------------------------------------------------


@frozen
class SalesRow:
    """One cell of the sales cube: its group, currency and figures."""

    group: tuple[tuple[str, str | None], ...]
    currency: str
    orders: int
    cancelled: int
    units: int | None
    gross: Decimal
    discount: Decimal
    refunded: Decimal
    net: Decimal
    tax: Decimal | None
    shipping: Decimal | None
    average_order: Decimal | None
    new_customers: int
    returning_customers: int

    def to_json(self) -> dict[str, Any]:
        return {
            **dict(self.group),
            "currency": self.currency,
            "orders": self.orders,
            "cancelled": self.cancelled,
            "units": self.units,
            "gross": str(self.gross),
            "discount": str(self.discount),
            "refunded": str(self.refunded),
            "net": str(self.net),
            "tax": None if self.tax is None else str(self.tax),
            "shipping": None if self.shipping is None else str(self.shipping),
            "average_order": None if self.average_order is None else str(self.average_order),
            "new_customers": self.new_customers,
            "returning_customers": self.returning_customers,
        }


@frozen
class SalesComparison:
    """Net revenue and orders of a window against the previous one and last year's."""

    currency: str
    net: Decimal
    orders: int
    previous_net: Decimal
    previous_orders: int
    last_year_net: Decimal
    last_year_orders: int

    @property
    def change_vs_previous(self) -> Decimal | None:
        return _rate(self.net - self.previous_net, self.previous_net) if self.previous_net else None

    @property
    def change_vs_last_year(self) -> Decimal | None:
        return (
            _rate(self.net - self.last_year_net, self.last_year_net) if self.last_year_net else None
        )

    def to_json(self) -> dict[str, Any]:
        change_prev = self.change_vs_previous
        change_year = self.change_vs_last_year
        return {
            "currency": self.currency,
            "net": str(self.net),
            "orders": self.orders,
            "previous_net": str(self.previous_net),
            "previous_orders": self.previous_orders,
            "last_year_net": str(self.last_year_net),
            "last_year_orders": self.last_year_orders,
            "change_vs_previous": None if change_prev is None else str(change_prev),
            "change_vs_last_year": None if change_year is None else str(change_year),
        }


@frozen
class SalesResult:
    """The sales cube by the requested dimensions; the comparison when a window is given."""

    by: tuple[str, ...]
    rows: tuple[SalesRow, ...]
    comparison: tuple[SalesComparison, ...]
    date_from: dt.date | None
    date_to: dt.date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "by": list(self.by),
            "from": None if self.date_from is None else self.date_from.isoformat(),
            "to": None if self.date_to is None else self.date_to.isoformat(),
            "rows": [r.to_json() for r in self.rows],
            "comparison": [c.to_json() for c in self.comparison],
        }


_ORDER_BASE: Final = "SELECT * FROM orders"


def _conversion(
    con: duckdb.DuckDBPyConnection, rates: Mapping[str, Decimal], reporting: str | None
) -> tuple[str, int, str]:
    """(reporting currency, its minor units, a VALUES table of rates) for the cube's SQL."""
    if reporting is None:
        raise ConfigError(
            "analytics", [ConfigProblem("$.reporting_currency", "required with rates")]
        )
    target = Currency.of(reporting)
    table = {target.code: Decimal(1)}
    problems = []
    for code, rate in rates.items():
        if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
            problems.append(ConfigProblem(f"$.rates.{code}", f"{rate!r} is not a positive Decimal"))
        else:
            table[Currency.of(code).code] = rate
    stored = [row[0] for row in _run(con, "SELECT DISTINCT currency FROM orders").fetchall()]
    problems += [
        ConfigProblem(f"$.rates.{code}", f"no rate from {code} to {target.code}")
        for code in sorted(set(stored) - set(table))
    ]
    if problems:
        raise ConfigError("analytics", problems)
    values = ", ".join(
        f"('{code}', CAST('{rate}' AS DECIMAL(38, 18)))" for code, rate in table.items()
    )
    return target.code, target.exponent, f"(VALUES {values}) AS r(code, rate)"


def _sales_sql(
    by: Sequence[str],
    line_dims: Sequence[str],
    line_where: str,
    where: str,
    conversion: tuple[str, int, str] | None = None,
) -> str:
    """The cube's query: each order (or each order's lines of one product group) counted once.

    The lines are summed per order first, by the product dimensions in use
    (``line_dims``, filtered by ``line_where``), so that a group's ``orders`` is
    a plain count; tax and shipping are order figures, not split per product.
    """
    keys = []
    for name in by:
        if name in _PERIODS:
            keys.append(f"{_PERIODS[name].format(t='placed_at')} AS {name}")
        else:
            keys.append(f"{name}")
    group = ", ".join([*by, "currency"])
    select = ", ".join([*keys, "currency"]) if keys else "currency"
    extra = "".join(f", {d}" for d in line_dims)
    if line_dims or line_where != "TRUE":
        lines = f"""
        SELECT source, order_id{extra}, sum(quantity) AS qty, sum(gross) AS g,
               sum(discount) AS d, sum(refunded) AS r
        FROM order_lines WHERE {line_where} GROUP BY source, order_id{extra}
        """
        source = f"""
        SELECT b.*{"".join(f", l.{d}" for d in line_dims)}, l.qty, l.g, l.d, l.r,
               NULL AS tx, NULL AS sh
        FROM ({_ORDER_BASE}) b JOIN ({lines}) l ON l.source = b.source AND l.order_id = b.order_id
        """
    else:
        source = f"""
        SELECT b.*, l.qty, b.gross AS g, b.discount AS d, b.refunded AS r,
               b.tax AS tx, b.shipping AS sh
        FROM ({_ORDER_BASE}) b LEFT JOIN (
          SELECT source, order_id, sum(quantity) AS qty FROM order_lines GROUP BY source, order_id
        ) l ON l.source = b.source AND l.order_id = b.order_id
        """
    if conversion is not None:
        code, exponent, table = conversion

        def convert(column: str) -> str:
            return f"CAST(round_even({column} * r.rate, {exponent}) AS DECIMAL(18, 3)) AS {column}"

        source = f"""
        SELECT s.* REPLACE ('{code}' AS currency, {convert("g")}, {convert("d")}, {convert("r")},
                          {convert("tx")}, {convert("sh")}),
               s.currency AS from_currency
        FROM ({source}) s JOIN {table} ON r.code = s.currency
        """
    return f"""
    SELECT {select},
      count(*) FILTER (WHERE NOT cancelled) AS orders,
      count(*) FILTER (WHERE cancelled) AS cancelled_orders,
      sum(qty) FILTER (WHERE NOT cancelled) AS units,
      coalesce(sum(g) FILTER (WHERE NOT cancelled), 0) AS gross,
      coalesce(sum(d) FILTER (WHERE NOT cancelled), 0) AS discount,
      coalesce(sum(r) FILTER (WHERE NOT cancelled), 0) AS refunded,
      sum(tx) FILTER (WHERE NOT cancelled) AS tax,
      sum(sh) FILTER (WHERE NOT cancelled) AS shipping,
      count(*) FILTER (WHERE NOT cancelled AND customer_type = 'new') AS new_c,
      count(*) FILTER (WHERE NOT cancelled AND customer_type = 'returning') AS returning_c
    FROM ({source}) s
    WHERE {where}
    GROUP BY {group}
    ORDER BY {group}
    """


def _days_sql(by: Sequence[str], table: str, where: str) -> str:
    """The cube's query over a day table: its rows are summed again (see ``daily``)."""
    keys = [
        f"{_PERIODS[name].format(t='day')} AS {name}" if name in _PERIODS else name for name in by
    ]
    group = ", ".join([*by, "currency"])
    order_figures = table == daily.ORDER_TABLE
    tax, shipping = (
        ("sum(tax) FILTER (WHERE NOT cancelled)", "sum(shipping) FILTER (WHERE NOT cancelled)")
        if order_figures
        else ("NULL", "NULL")
    )
    return f"""
    SELECT {", ".join([*keys, "currency"])},
      coalesce(sum(orders) FILTER (WHERE NOT cancelled), 0) AS orders,
      coalesce(sum(orders) FILTER (WHERE cancelled), 0) AS cancelled_orders,
      sum(units) FILTER (WHERE NOT cancelled) AS units,
      coalesce(sum(gross) FILTER (WHERE NOT cancelled), 0) AS gross,
      coalesce(sum(discount) FILTER (WHERE NOT cancelled), 0) AS discount,
      coalesce(sum(refunded) FILTER (WHERE NOT cancelled), 0) AS refunded,
      {tax} AS tax,
      {shipping} AS shipping,
      coalesce(sum(orders) FILTER (WHERE NOT cancelled AND customer_type = 'new'), 0) AS new_c,
      coalesce(sum(orders) FILTER (WHERE NOT cancelled AND customer_type = 'returning'), 0)
        AS returning_c
    FROM {table}
    WHERE {where}
    GROUP BY {group}
    ORDER BY {group}
    """


def _sales_expressions(time: str = "placed_at") -> dict[str, str]:
    expressions = {name: name for name in (*SALES_DIMENSIONS, "currency")}
    for name, template in _PERIODS.items():
        expressions[name] = template.format(t=time)
    return expressions


def sales(
    con: duckdb.DuckDBPyConnection,
    *,
    by: Sequence[str] = ("month",),
    filters: Mapping[str, Sequence[str]] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    compare: bool = True,
    rates: Mapping[str, Decimal] | None = None,
    reporting_currency: str | None = None,
    pre_aggregated: bool = True,
) -> SalesResult:
    """The sales cube by ``by``, filtered; compared with the previous window and last year's.

    Several currencies stay apart unless ``rates`` and ``reporting_currency``
    are given: then every order's amounts are converted (one unit of the
    order's currency is ``rates[code]`` units of the reporting currency) and
    rounded half-even to the reporting currency's minor units, order by order,
    before they are summed. A currency in the store without a rate is a
    ``ConfigError``; the ``currency`` filter then names the orders' own currency.

    The store's day tables answer when they cover the query (by period and
    order dimensions, filtered by them and by at most one category unless
    ``category`` is a key; no rates); the figures are exactly the lines' (see
    :mod:`~ecomrules.analytics.daily`). ``pre_aggregated=False`` reads the lines.
    """
    filters = dict(filters or {})
    _check(by, SALES_DIMENSIONS, "$.by")
    _check(list(filters), (*SALES_DIMENSIONS, "currency"), "$.filter")
    expressions = _sales_expressions()
    conversion = None
    if rates is not None or reporting_currency is not None:
        conversion = _conversion(con, rates or {}, reporting_currency)
        expressions["currency"] = "from_currency"
    table = daily.table_for(con, by, filters, conversion is not None) if pre_aggregated else None
    if table is not None:
        where, params = _where(filters, _sales_expressions("day"), "day", date_from, date_to)
        sql = _days_sql(by, table, where)
    else:
        line_filters = {k: v for k, v in filters.items() if k in _LINE_DIMENSIONS}
        order_filters = {k: v for k, v in filters.items() if k not in _LINE_DIMENSIONS}
        line_where, line_params = _where(line_filters, expressions, "NULL", None, None)
        where, params = _where(order_filters, expressions, "placed_at", date_from, date_to)
        line_dims = [d for d in by if d in _LINE_DIMENSIONS]
        sql = _sales_sql(by, line_dims, line_where, where, conversion)
        params = [*line_params, *params]
    rows = []
    for record in _run(con, sql, params).fetchall():
        keys = record[: len(by)]
        (currency, orders, cancelled, units, gross, discount, refunded, tax, shipping, new_c,
         returning_c) = record[len(by) :]  # fmt: skip
        gross_d = _money(gross, currency)
        discount_d = _money(discount, currency)
        refunded_d = _money(refunded, currency)
        net = gross_d - discount_d - refunded_d
        average = (
            (net / orders).quantize(Currency.of(currency).quantum, rounding=ROUND_HALF_EVEN)
            if orders
            else None
        )
        rows.append(
            SalesRow(
                group=tuple(
                    (name, None if value is None else str(value))
                    for name, value in zip(by, keys, strict=True)
                ),
                currency=currency,
                orders=int(orders),
                cancelled=int(cancelled),
                units=None if units is None else int(units),
                gross=gross_d,
                discount=discount_d,
                refunded=refunded_d,
                net=net,
                tax=None if tax is None else _money(tax, currency),
                shipping=None if shipping is None else _money(shipping, currency),
                average_order=average,
                new_customers=int(new_c),
                returning_customers=int(returning_c),
            )
        )
    comparison: list[SalesComparison] = []
    if compare and date_from is not None and date_to is not None:
        comparison = _compare(
            con, filters, date_from, date_to, rates, reporting_currency, pre_aggregated
        )
    return SalesResult(tuple(by), tuple(rows), tuple(comparison), date_from, date_to)


def _totals(
    con: duckdb.DuckDBPyConnection,
    filters: Mapping[str, Sequence[str]],
    start: dt.date,
    end: dt.date,
    rates: Mapping[str, Decimal] | None,
    reporting: str | None,
    pre_aggregated: bool,
) -> dict[str, tuple[Decimal, int]]:
    result = sales(
        con,
        by=(),
        filters=filters,
        date_from=start,
        date_to=end,
        compare=False,
        rates=rates,
        reporting_currency=reporting,
        pre_aggregated=pre_aggregated,
    )
    return {r.currency: (r.net, r.orders) for r in result.rows}


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _compare(
    con: duckdb.DuckDBPyConnection,
    filters: Mapping[str, Sequence[str]],
    date_from: dt.date,
    date_to: dt.date,
    rates: Mapping[str, Decimal] | None,
    reporting: str | None,
    pre_aggregated: bool,
) -> list[SalesComparison]:
    length = date_to - date_from + dt.timedelta(days=1)
    windows = (
        (date_from, date_to),
        (date_from - length, date_from - dt.timedelta(days=1)),
        (_year_before(date_from), _year_before(date_to)),
    )
    now, previous, last_year = (
        _totals(con, filters, start, end, rates, reporting, pre_aggregated)
        for start, end in windows
    )
    out = []
    for currency in sorted(set(now) | set(previous) | set(last_year)):
        zero = (_money(0, currency), 0)
        net, orders = now.get(currency, zero)
        p_net, p_orders = previous.get(currency, zero)
        y_net, y_orders = last_year.get(currency, zero)
        out.append(SalesComparison(currency, net, orders, p_net, p_orders, y_net, y_orders))
    return out


# --- funnel -------------------------------------------------------------------------


@frozen
class FunnelRow:
    """The funnel of one group: sessions reaching each step, conversions, abandoned carts."""

    group: tuple[tuple[str, str | None], ...]
    steps: tuple[str, ...]
    reached: tuple[int, ...]
    abandoned_carts: int
    abandoned_value: tuple[tuple[str, Decimal], ...]

    @property
    def sessions(self) -> int:
        return self.reached[0]

    @property
    def step_conversion(self) -> tuple[Decimal | None, ...]:
        return tuple(_rate(b, a) for a, b in zip(self.reached, self.reached[1:], strict=False))

    @property
    def overall_conversion(self) -> Decimal | None:
        return _rate(self.reached[-1], self.reached[0])

    def to_json(self) -> dict[str, Any]:
        return {
            **dict(self.group),
            "steps": [
                {
                    "step": step,
                    "sessions": count,
                    "conversion_from_previous": None
                    if i == 0 or self.step_conversion[i - 1] is None
                    else str(self.step_conversion[i - 1]),
                }
                for i, (step, count) in enumerate(zip(self.steps, self.reached, strict=True))
            ],
            "overall_conversion": None
            if self.overall_conversion is None
            else str(self.overall_conversion),
            "abandoned_carts": self.abandoned_carts,
            "abandoned_value": {c: str(v) for c, v in self.abandoned_value},
        }


@frozen
class FunnelResult:
    """The funnel by the requested dimensions."""

    by: tuple[str, ...]
    steps: tuple[str, ...]
    rows: tuple[FunnelRow, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "by": list(self.by),
            "steps": list(self.steps),
            "rows": [r.to_json() for r in self.rows],
        }


def _session_sql() -> str:
    ranks = " ".join(f"WHEN '{step}' THEN {i}" for i, step in enumerate(STEPS))
    return f"""
    SELECT source AS tool, session_key,
      min(ts) AS started,
      arg_min(traffic_source, ts) FILTER (WHERE traffic_source IS NOT NULL) AS traffic_source,
      arg_min(medium, ts) FILTER (WHERE medium IS NOT NULL) AS medium,
      arg_min(campaign, ts) FILTER (WHERE campaign IS NOT NULL) AS campaign,
      bool_or(gclid) AS gclid,
      arg_min(device, ts) FILTER (WHERE device IS NOT NULL) AS device,
      arg_min(country, ts) FILTER (WHERE country IS NOT NULL) AS country,
      max(CASE step {ranks} END) AS furthest,
      list_distinct(list(step) FILTER (WHERE step IS NOT NULL)) AS seen,
      arg_max(revenue, ts) FILTER (WHERE step = 'add_to_cart' AND revenue IS NOT NULL)
        AS cart_value,
      arg_max(currency, ts) FILTER (WHERE step = 'add_to_cart' AND revenue IS NOT NULL)
        AS cart_currency
    FROM events
    GROUP BY source, session_key
    """


def _funnel_expressions() -> dict[str, str]:
    expressions = {
        "source": "traffic_source",
        "medium": "medium",
        "source_medium": (
            "coalesce(traffic_source, '(none)') || ' / ' || coalesce(medium, '(none)')"
        ),
        "campaign": "campaign",
        "channel": CHANNEL_SQL,
        "device": "device",
        "country": "country",
        "tool": "tool",
    }
    for name, template in _PERIODS.items():
        expressions[name] = template.format(t="started")
    return expressions


def funnel(
    con: duckdb.DuckDBPyConnection,
    *,
    by: Sequence[str] = (),
    steps: Sequence[str] = STEPS,
    filters: Mapping[str, Sequence[str]] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    strict: bool = False,
) -> FunnelResult:
    """Sessions reaching each step, by ``by``; ``strict`` counts only the steps a session sent.

    The first step is the session itself whatever ``steps`` says (a visit is the
    top of every funnel); the other steps are canonical step names in funnel order.
    """
    filters = dict(filters or {})
    _check(by, FUNNEL_DIMENSIONS, "$.by")
    _check(list(filters), FUNNEL_DIMENSIONS, "$.filter")
    chosen = [s for s in steps if s != "session_start"]
    _check(chosen, STEPS[1:], "$.steps")
    ranks = {step: i for i, step in enumerate(STEPS)}
    if [ranks[s] for s in chosen] != sorted(ranks[s] for s in chosen):
        raise ConfigError("analytics", [ConfigProblem("$.steps", "steps must be in funnel order")])
    expressions = _funnel_expressions()
    where, params = _where(filters, expressions, "started", date_from, date_to)
    keys = [f"{expressions[name]} AS {name}" for name in by]
    reached = []
    for step in chosen:
        if strict:
            reached.append(f"count(*) FILTER (WHERE list_contains(seen, '{step}'))")
        else:
            reached.append(f"count(*) FILTER (WHERE furthest >= {ranks[step]})")
    cart, purchase = ranks["add_to_cart"], ranks["purchase"]
    left = f"furthest >= {cart} AND furthest < {purchase}"
    tallies = ["count(*)", *reached, f"count(*) FILTER (WHERE {left})"]
    sums = ", ".join(f"coalesce(sum(n{i}), 0)" for i in range(len(tallies)))
    group = ", ".join(by) if by else "()"
    categories = (
        "c.category AS source_category FROM ({sessions}) v "
        "LEFT JOIN source_categories c ON c.source = lower(v.traffic_source)"
        if "channel" in (*by, *filters)
        else "NULL AS source_category FROM ({sessions}) v"
    ).format(sessions=_session_sql())
    # The abandoned carts' values are summed per group and currency by the engine;
    # each cart value is already in its currency's minor units.
    sql = f"""
    WITH s AS (SELECT v.*, {categories}), g AS (
      SELECT {", ".join([*keys, f"CASE WHEN {left} THEN cart_currency END AS cur"])},
        {", ".join(f"{tally} AS n{i}" for i, tally in enumerate(tallies))},
        sum(cart_value) FILTER (WHERE {left}) AS cart_value
      FROM s WHERE {where}
      GROUP BY ALL
    )
    SELECT {", ".join([*by, sums])},
      list(struct_pack(c := cur, v := cart_value)) FILTER (WHERE cart_value IS NOT NULL) AS carts
    FROM g
    GROUP BY {group}
    ORDER BY {", ".join(by) if by else "1"}
    """
    rows = []
    for record in _run(con, sql, params).fetchall():
        keys_values = record[: len(by)]
        counts = tuple(int(c) for c in record[len(by) : len(by) + 1 + len(chosen)])
        abandoned = int(record[len(by) + 1 + len(chosen)])
        carts = record[len(by) + 2 + len(chosen)] or []
        value: dict[str, Decimal] = {}
        for cart_row in carts:
            currency = cart_row["c"]
            value[currency] = value.get(currency, Decimal(0)) + _money(cart_row["v"], currency)
        rows.append(
            FunnelRow(
                group=tuple(
                    (name, None if v is None else str(v))
                    for name, v in zip(by, keys_values, strict=True)
                ),
                steps=("session_start", *chosen),
                reached=counts,
                abandoned_carts=abandoned,
                abandoned_value=tuple(sorted(value.items())),
            )
        )
    return FunnelResult(tuple(by), ("session_start", *chosen), tuple(rows))


# --- web against books --------------------------------------------------------------


@frozen
class GapDay:
    """One day's booked and web-recorded revenue in one currency."""

    day: dt.date
    currency: str
    books: Decimal
    web: Decimal

    @property
    def difference(self) -> Decimal:
        return self.web - self.books


@frozen
class GapsResult:
    """Purchases the web saw against booked orders, joined by transaction id."""

    matched: int
    web_only: tuple[tuple[str, str, Decimal | None, str | None], ...]
    """(transaction id, tool, revenue, currency) of web purchases with no order."""
    books_only: tuple[tuple[str, str, Decimal, str], ...]
    """(order id, source, total, currency) of orders no web purchase recorded."""
    duplicates: tuple[tuple[str, int], ...]
    """Transaction ids the web recorded more than once, with the count."""
    days: tuple[GapDay, ...]
    share_seen: tuple[tuple[str, Decimal | None], ...]
    """Per currency: the share of booked revenue whose order the web recorded."""

    def to_json(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "web_only": [
                {
                    "transaction_id": t,
                    "tool": s,
                    "revenue": None if r is None else str(r),
                    "currency": c,
                }
                for t, s, r, c in self.web_only
            ],
            "books_only": [
                {"order_id": o, "source": s, "total": str(t), "currency": c}
                for o, s, t, c in self.books_only
            ],
            "duplicates": [{"transaction_id": t, "count": n} for t, n in self.duplicates],
            "days": [
                {
                    "day": d.day.isoformat(),
                    "currency": d.currency,
                    "books": str(d.books),
                    "web": str(d.web),
                    "difference": str(d.difference),
                }
                for d in self.days
            ],
            "share_seen": {c: None if s is None else str(s) for c, s in self.share_seen},
        }


_GAPS_SQL: Final = """
CREATE OR REPLACE TEMP TABLE ecr_gaps AS
WITH web AS (
  SELECT transaction_id, min(source) AS tool, count(*) AS hits,
         arg_min(revenue, ts) AS revenue, arg_min(currency, ts) AS currency, min(ts) AS ts
  FROM events
  WHERE step = 'purchase' AND transaction_id IS NOT NULL {web_where}
  GROUP BY transaction_id
), books AS (
  SELECT source, order_id, transaction_id, placed_at, currency,
         gross - discount + shipping + tax AS total
  FROM orders WHERE NOT cancelled {books_where}
), keys AS (
  SELECT source, order_id, transaction_id AS k FROM books WHERE transaction_id IS NOT NULL
  UNION
  SELECT source, order_id, order_id AS k FROM books
), pairs AS (
  SELECT w.transaction_id, k.source, k.order_id
  FROM web w JOIN keys k ON k.k = w.transaction_id
  QUALIFY row_number() OVER (
    PARTITION BY w.transaction_id ORDER BY k.k = k.order_id, k.order_id) = 1
)
SELECT w.transaction_id, w.tool, w.hits, w.revenue, w.currency, w.ts,
       b.source, b.order_id, b.total, b.currency AS book_currency, b.placed_at
FROM web w
FULL OUTER JOIN pairs p ON p.transaction_id = w.transaction_id
FULL OUTER JOIN books b ON b.source = p.source AND b.order_id = p.order_id
"""


def gaps(
    con: duckdb.DuckDBPyConnection,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> GapsResult:
    """Web purchases against booked orders (matched by transaction id, then order id)."""
    web_clauses: list[str] = []
    book_clauses: list[str] = []
    params: list[Any] = []
    for column_web, column_book, value, op in (
        ("ts", "placed_at", date_from, ">="),
        ("ts", "placed_at", date_to, "<="),
    ):
        if value is not None:
            web_clauses.append(f"AND CAST({column_web} AS DATE) {op} DATE '{value.isoformat()}'")
            book_clauses.append(f"AND CAST({column_book} AS DATE) {op} DATE '{value.isoformat()}'")
    _run(
        con,
        _GAPS_SQL.format(web_where=" ".join(web_clauses), books_where=" ".join(book_clauses)),
        params,
    )
    try:
        matched = scalar(
            con,
            "SELECT count(*) FROM ecr_gaps "
            "WHERE transaction_id IS NOT NULL AND order_id IS NOT NULL",
        )
        web_only = [
            (t, tool, None if r is None else _money(r, c), c)
            for t, tool, r, c in _run(
                con,
                "SELECT transaction_id, tool, revenue, currency FROM ecr_gaps "
                "WHERE order_id IS NULL AND transaction_id IS NOT NULL ORDER BY transaction_id",
            ).fetchall()
        ]
        books_only = [
            (o, s, _money(t, c), c)
            for o, s, t, c in _run(
                con,
                "SELECT order_id, source, total, book_currency FROM ecr_gaps "
                "WHERE transaction_id IS NULL ORDER BY source, order_id",
            ).fetchall()
        ]
        duplicates = [
            (t, int(n))
            for t, n in _run(
                con,
                "SELECT transaction_id, hits FROM ecr_gaps WHERE hits > 1 ORDER BY transaction_id",
            ).fetchall()
        ]
        days = [
            GapDay(d, c, _money(b, c), _money(w, c))
            for d, c, b, w in _run(
                con,
                """
                SELECT day, cur, sum(books), sum(web) FROM (
                  SELECT CAST(placed_at AS DATE) AS day, book_currency AS cur, total AS books,
                         0 AS web FROM ecr_gaps WHERE order_id IS NOT NULL
                  UNION ALL
                  SELECT CAST(ts AS DATE), currency, 0, revenue FROM ecr_gaps
                  WHERE transaction_id IS NOT NULL AND revenue IS NOT NULL
                ) GROUP BY day, cur ORDER BY day, cur
                """,
            ).fetchall()
        ]
        share = [
            (c, _rate(Decimal(seen or 0), Decimal(total)) if total else None)
            for c, seen, total in _run(
                con,
                "SELECT book_currency, sum(total) FILTER (WHERE transaction_id IS NOT NULL), "
                "sum(total) FROM ecr_gaps WHERE order_id IS NOT NULL "
                "GROUP BY book_currency ORDER BY book_currency",
            ).fetchall()
        ]
    finally:
        _run(con, "DROP TABLE IF EXISTS ecr_gaps")
    return GapsResult(
        matched=int(matched),
        web_only=tuple(web_only),
        books_only=tuple(books_only),
        duplicates=tuple(duplicates),
        days=tuple(days),
        share_seen=tuple(share),
    )
